import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ScanLensError, oneLine } from '../../core/errors';
import type { ClassifyResult } from '../../core/jobs/classifyJob';
import { SLICE_AXES } from '../../core/vocabulary/axes';

const kind = z.enum(['image', 'volume', 'series']);
const files = z.array(z.string()).optional();
const verdict = { anomalyScore: z.number().optional(), anomalyThreshold: z.number().optional(), flag: z.string().optional() };

/** The row shapes of classify's JSON (ClassifyResult) that the view reads; other fields are kept as they are, for export. */
const ErrorRow = z.looseObject({ kind, file: z.string(), error: z.string(), files });
const SliceProfileRow = z.looseObject({
  kind: z.enum(['volume', 'series']),
  file: z.string(),
  axis: z.enum(SLICE_AXES),
  sliceCount: z.number().int().nonnegative(),
  top: z.looseObject({ label: z.string(), probability: z.number(), slice: z.number().int().nonnegative(), ...verdict }),
  peaks: z.array(z.looseObject({ label: z.string(), probability: z.number(), slice: z.number().int() })),
  slices: z.array(z.looseObject({ slice: z.number().int(), probabilities: z.array(z.number()) })),
  files,
});
const ImageRow = z.looseObject({ kind: z.literal('image'), file: z.string(), probabilities: z.array(z.number()), top: z.looseObject({ label: z.string(), probability: z.number() }), ...verdict });
// A 3D model's row: the volume or series classified whole.
const WholeVolumeRow = z.looseObject({
  kind: z.enum(['volume', 'series']),
  file: z.string(),
  probabilities: z.array(z.number()),
  top: z.looseObject({ label: z.string(), probability: z.number() }),
  files,
});

/**
 * The one shape a row can be, told by its fields, so a row is checked against that shape
 * alone (a union would try every shape on every row: most of the reading time of a large result).
 */
function rowSchema(row: unknown): z.ZodType {
  if (typeof row !== 'object' || row === null) return ImageRow;
  if ('error' in row) return ErrorRow;
  if ('axis' in row) return SliceProfileRow;
  return 'kind' in row && row.kind !== 'image' ? WholeVolumeRow : ImageRow;
}

/** `scanlens classify --json`'s document, and the JSON a folder classification writes to scanlens-results/; each row is checked by rowSchema. */
const ResultDocumentSchema = z.looseObject({
  model: z.looseObject({ name: z.string(), labels: z.array(z.string()).min(1), sha256: z.string().optional() }),
  results: z.array(z.unknown()),
});

export interface ResultFile {
  readonly path: string;
  /** The model that made the result; sha256 as classify records it. */
  readonly model: { readonly name: string; readonly labels: readonly string[]; readonly sha256?: string };
  /** Rows as the file has them (paths as written). */
  readonly rows: readonly ClassifyResult[];
  /** The same rows with every path absolute, for reading scans. */
  readonly resolved: readonly ClassifyResult[];
}

/**
 * Reads a classify result. Relative paths in it are taken against `base`
 * (the workspace folder a folder classification wrote them against), else the file's own folder.
 * A file that is not one is one line naming it and the first field at fault.
 */
export async function readResultFile(path: string, base: string = dirname(path)): Promise<ResultFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ScanLensError(`not a classify result: ${oneLine(error)}`, path);
  }
  const notResult = (issue: z.core.$ZodIssue | undefined, at: readonly PropertyKey[] = []): ScanLensError =>
    new ScanLensError(`not a classify result: ${[...at, ...(issue?.path ?? [])].map(String).join('.') || 'document'}: ${issue?.message ?? 'unexpected shape'}`, path);
  const parsed = ResultDocumentSchema.safeParse(json);
  if (!parsed.success) throw notResult(parsed.error.issues[0]);
  parsed.data.results.forEach((row, i) => {
    const checked = rowSchema(row).safeParse(row);
    if (!checked.success) throw notResult(checked.error.issues[0], ['results', i]);
  });
  const rows = parsed.data.results as ClassifyResult[];
  const absolute = (file: string): string => (isAbsolute(file) ? file : resolve(base, file));
  const resolved = rows.map((row) => ({ ...row, file: absolute(row.file), ...('files' in row && row.files ? { files: row.files.map(absolute) } : {}) }) as ClassifyResult);
  const { name, labels, sha256 } = parsed.data.model;
  return { path, model: { name, labels, ...(sha256 !== undefined ? { sha256 } : {}) }, rows, resolved };
}

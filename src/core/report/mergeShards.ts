import { lstat, readdir } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ScanLensError } from '../errors';
import { writeFileAtomic } from '../io/atomicWrite';
import { parseCsv } from '../io/csv';
import { readRegularFile } from '../io/regularFile';
import { classifyInputs } from '../jobs/classifyInputs';
import type { ClassifyResult } from '../jobs/classifyJob';
import { DEFAULT_LIMITS } from '../scan/limits';
import { listScans } from '../scan/listScans';
import { SLICE_AXES } from '../vocabulary/axes';
import { CHECK_COLUMN, classifyCsvHeader, rowCheck, rowsFromCsv } from './classifyCsv';

/*
 * `scanlens merge`: the result files of `classify --shard i/n` runs joined
 * into the one file a single `classify` of the whole set writes, byte for
 * byte. A shard is taken only whole: every CSV row must match its check, every
 * JSON line must parse as a row, the file must end with its last row's line
 * break and no `.partial` may be left beside it (a run still going, or killed).
 */

export type ShardFormat = 'csv' | 'jsonl';

/** One shard file as read: its format, its rows and each row's bytes as written (line break included). */
interface Shard {
  readonly file: string;
  readonly format: ShardFormat;
  /** CSV only: the header line, line break included. */
  readonly header?: Buffer;
  readonly rows: readonly ShardRow[];
}

interface ShardRow {
  readonly row: ClassifyResult;
  readonly bytes: Buffer;
}

export interface MergedShards {
  readonly format: ShardFormat;
  /** The merged file: the CSV header once (CSV), then every row's bytes as its shard wrote them, in the order one classify run writes. */
  readonly content: Buffer;
  /** The rows in that order: JSON Lines rows as written; CSV rows as `--resume` reads them back (a volume's peaks, not its per-slice profile). */
  readonly rows: readonly ClassifyResult[];
  readonly shards: readonly { readonly file: string; readonly rows: number }[];
  /** What the merge could not make exact (a series whose first slice was not found again), one line each. */
  readonly notes: readonly string[];
}

/** Where classify streams a result file while its run is going (the CLI's partialPath). */
const PARTIAL = '.partial';

/** A shard larger than this is refused with one line (Node cannot hold much more as one string). */
const SHARD_LIMIT = 512 * 1024 * 1024;

const ranked = z.looseObject({ label: z.string(), probability: z.number() });
const verdict = { anomalyScore: z.number().optional(), anomalyThreshold: z.number().optional(), flag: z.string().optional() };
const peak = z.looseObject({ label: z.string(), slice: z.number().int(), probability: z.number(), ...verdict });

/** A JSON Lines row as classify writes it: an image's, a volume's or a series' result, or an input's error. */
const JsonlRow = z
  .looseObject({
    file: z.string(),
    // Rows written before rows carried their kind were images'.
    kind: z.enum(['image', 'volume', 'series']).optional(),
    error: z.string().optional(),
    labels: z.array(z.string()).optional(),
    probabilities: z.array(z.number()).optional(),
    top: ranked.optional(),
    topK: z.array(ranked).optional(),
    notes: z.array(z.string()).optional(),
    ...verdict,
    axis: z.enum(SLICE_AXES).optional(),
    peaks: z.array(peak).optional(),
    sliceCount: z.number().int().nonnegative().optional(),
    files: z.array(z.string()).optional(),
    predictionSet: z.array(z.string()).optional(),
  })
  .refine((row) => row.error !== undefined || (row.top !== undefined && row.labels !== undefined && (row.probabilities !== undefined || (row.peaks !== undefined && row.axis !== undefined))), {
    message: 'neither an error nor probabilities',
  });

/** Byte ranges of a CSV's records, each with its line break: split at line breaks outside quotes (as completeCsvLength reads). */
function csvRecords(bytes: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) {
      records.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  return records;
}

function jsonlRecords(bytes: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
    records.push(bytes.subarray(start, end + 1));
    start = end + 1;
  }
  return records;
}

const lineText = (record: Buffer): string => record.toString('utf8', 0, record.length - 1);

function readCsv(file: string, bytes: Buffer): Shard {
  const [header, ...records] = csvRecords(bytes);
  const columns = parseCsv(lineText(header!))[0] ?? [];
  if (!columns.includes(CHECK_COLUMN)) {
    throw new ScanLensError(`has no '${CHECK_COLUMN}' column (written by an older ScanLens): its rows cannot be told whole; classify that shard again`, file);
  }
  const labels = columns.slice(columns.indexOf('top_probability') + 1, columns.indexOf('error')).map((c) => c.replace(/^p_/, ''));
  const layout = { guarded: columns.includes('anomaly_score'), conformal: columns.includes('prediction_set') };
  if (columns.indexOf('top_probability') < 0 || lineText(header!) !== classifyCsvHeader(labels, layout)) {
    throw new ScanLensError('is not a CSV scanlens classify writes (its header differs)', file);
  }
  records.forEach((record, i) => {
    const fields = parseCsv(lineText(record))[0] ?? [];
    if (fields.length !== columns.length || fields[fields.length - 1] !== rowCheck(fields.slice(0, -1))) {
      throw new ScanLensError(`row ${i + 1} is incomplete or was changed (its ${CHECK_COLUMN} does not match): classify that shard again with --resume`, file);
    }
  });
  // Read back as --resume reads them; every record passed its check above, so none comes back as an error of its own.
  const rows = rowsFromCsv(bytes.toString('utf8'), labels);
  if (rows.length !== records.length) throw new ScanLensError('could not read its rows back', file);
  return { file, format: 'csv', header, rows: rows.map((row, i) => ({ row, bytes: records[i]! })) };
}

function readJsonl(file: string, bytes: Buffer): Shard {
  const rows = jsonlRecords(bytes).map((record, i): ShardRow => {
    let value: unknown;
    try {
      value = JSON.parse(lineText(record));
    } catch {
      throw new ScanLensError(`row ${i + 1} is not JSON (cut off or changed): classify that shard again with --resume`, file);
    }
    const checked = JsonlRow.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new ScanLensError(`row ${i + 1} is not a scanlens classify row (${issue.path.join('.') || 'row'}: ${issue.message})`, file);
    }
    // The row as written (the schema only vets it), its kind filled in for rows older than kinds.
    const row = (checked.data.kind ? value : { ...(value as object), kind: 'image' }) as ClassifyResult;
    return { row, bytes: record };
  });
  return { file, format: 'jsonl', rows };
}

const exists = (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

async function readShard(file: string): Promise<Shard> {
  if (file.endsWith(PARTIAL)) {
    throw new ScanLensError(`is the partial output of a classify run that has not finished: run that shard again with --resume, then merge its final file`, file);
  }
  const partial = `${file}${PARTIAL}`;
  if (await exists(partial)) {
    const what = (await exists(file)) ? `a run of this shard has not finished (${partial} is there)` : `not finished: only ${partial} is there`;
    throw new ScanLensError(`${what}; run that shard again with --resume`, file);
  }
  const bytes = await readRegularFile(file, SHARD_LIMIT, 'shard');
  // Complete files end with their last row's line break; anything after it was cut off mid-write.
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
    throw new ScanLensError('its last row is cut off (no line break at its end): classify that shard again with --resume', file);
  }
  if (bytes.length === 0 && /\.csv$/i.test(file)) throw new ScanLensError('is empty: a CSV scanlens classify writes has at least its header', file);
  if (bytes.length === 0 || bytes[0] === 0x7b) return readJsonl(file, bytes);
  if (bytes.subarray(0, 5).toString('latin1') === 'file,') return readCsv(file, bytes);
  throw new ScanLensError('is neither a CSV nor a JSON Lines file scanlens classify writes', file);
}

const FORMAT_NAME: Record<ShardFormat, string> = { csv: 'CSV', jsonl: 'JSON Lines' };

/**
 * What a row says about how it was made: the model (labels, whether it has an
 * out-of-distribution guard and that guard's threshold) and the options
 * (--axis, --top). Every row of every shard must agree; the first value seen
 * is the reference. A CSV row's guard is in the header, compared whole.
 */
function settings(row: ClassifyResult, format: ShardFormat): [string, string][] {
  if ('error' in row) return [];
  const out: [string, string][] = [];
  const labels = 'labels' in row ? row.labels : undefined;
  if (labels) out.push(['labels', labels.join(', ')]);
  const verdicts = 'peaks' in row ? row.peaks : [row];
  const threshold = verdicts.find((v) => v.anomalyThreshold !== undefined)?.anomalyThreshold;
  if (threshold !== undefined) out.push(['anomaly threshold', String(threshold)]);
  // A guarded model's row has the guard's verdict, or a note that it could not score it.
  const unscored = (row.notes ?? []).some((note) => note.startsWith('anomaly score failed'));
  if (format === 'jsonl' && !unscored) out.push(['anomaly guard', threshold === undefined ? 'none' : 'present']);
  if ('peaks' in row) out.push(['axis', row.axis]);
  else if ('topK' in row && row.topK) out.push(['--top', String(row.topK.length)]);
  return out;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** A series row's folder: its name is `FOLDER [MODALITY series N · hash]` (classifyInputs' seriesKey). */
const seriesFolder = (key: string): string => key.slice(0, Math.max(0, key.lastIndexOf(' [')));

/** The name a folder's files start with ('' for the working folder). */
const folderPrefix = (folder: string): string => (folder === '.' || folder === '' ? '' : `${folder}/`);

/**
 * Where one classify run puts a row: images first, then volumes and series,
 * each group in the natural order of its first file, which is how a folder is
 * listed. A series is placed by its first slice's file: JSON Lines rows carry
 * `files`, and for a CSV row (which names only the folder) `firstSlice` has
 * it when it mattered; else it goes first among its folder's files.
 */
function placeOf(row: ClassifyResult, firstSlice: ReadonlyMap<string, string>): { group: number; name: string } {
  if (row.kind === 'image') return { group: 0, name: row.file };
  if (row.kind === 'volume') return { group: 1, name: row.file };
  const first = ('files' in row ? row.files?.[0] : undefined) ?? firstSlice.get(row.file);
  return { group: 1, name: first ?? folderPrefix(seriesFolder(row.file)) };
}

/** Sorts rows into one run's order; each row's place is worked out once. */
function inOneRunOrder(rows: readonly ShardRow[], firstSlice: ReadonlyMap<string, string>): ShardRow[] {
  const placed = rows.map((shardRow) => ({ shardRow, ...placeOf(shardRow.row, firstSlice) }));
  placed.sort((a, b) => {
    if (a.group !== b.group) return a.group - b.group;
    const natural = collator.compare(a.name, b.name);
    if (natural !== 0) return natural;
    const [fa, fb] = [a.shardRow.row.file, b.shardRow.row.file];
    return fa < fb ? -1 : fa > fb ? 1 : 0;
  });
  return placed.map((p) => p.shardRow);
}

/**
 * The first slice's file of each CSV series row whose place depends on it: one
 * that shares its folder (or a folder above) with another volume or series. A
 * CSV row names only the folder, so the folder is listed and its DICOM headers
 * grouped again, as classify did; a series not found there (moved, or merged
 * from another working folder) is noted and placed first in its folder.
 */
async function firstSlices(rows: readonly ClassifyResult[]): Promise<{ firstSlice: Map<string, string>; notes: string[] }> {
  const firstSlice = new Map<string, string>();
  const notes: string[] = [];
  const unknown = rows.filter((row) => row.kind === 'series' && !('files' in row && row.files?.[0]));
  if (unknown.length === 0) return { firstSlice, notes };
  // How many volumes and series lie in each folder, at any depth.
  const within = new Map<string, number>();
  for (const row of rows) {
    if (row.kind === 'image') continue;
    const name = placeOf(row, firstSlice).name;
    const folders = ['.', ...[...name.matchAll(/\//g)].map((m) => name.slice(0, m.index))];
    for (const folder of new Set(folders)) within.set(folder, (within.get(folder) ?? 0) + 1);
  }
  const folders = [...new Set(unknown.map((row) => seriesFolder(row.file)))].filter((folder) => (within.get(folder) ?? 0) > 1);
  for (const folder of folders) {
    const found = await listScans(folder)
      .then((listing) => classifyInputs(listing.files, DEFAULT_LIMITS))
      .catch(() => []);
    for (const input of found) if (input.kind === 'series') firstSlice.set(input.key, input.files[0]!);
  }
  for (const row of unknown) {
    if (folders.includes(seriesFolder(row.file)) && !firstSlice.has(row.file)) {
      notes.push(
        `series '${row.file}' was not found again in its folder (merge reads it from the folder classify ran in), so its place among that folder's volumes and series is a guess; JSON Lines shards record each series' files`,
      );
    }
  }
  return { firstSlice, notes };
}

/**
 * A task killed mid-way leaves `shard-K.csv.partial` and no `shard-K.csv`, so
 * a glob like `results/shard-*.csv` silently leaves it out: a partial of the
 * shards' kind (same extension) lying beside them stops the merge, naming it.
 */
async function refuseUnfinishedSiblings(files: readonly string[]): Promise<void> {
  const given = new Set(files.map((f) => resolve(f)));
  const kinds = new Set(files.map((f) => extname(f).toLowerCase()).filter((ext) => ext !== ''));
  for (const folder of new Set(files.map((f) => dirname(f)))) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const stem = name.slice(0, -PARTIAL.length);
      if (!name.endsWith(PARTIAL) || !kinds.has(extname(stem).toLowerCase()) || given.has(resolve(folder, stem))) continue;
      throw new ScanLensError(
        `the run writing this shard beside the ones being merged has not finished: run it again with --resume and merge its final file too (or move this file away if it is not one of them)`,
        join(folder, name),
      );
    }
  }
}

/**
 * Reads the shards of one classification (`classify --shard i/n` outputs, all
 * CSV or all JSON Lines) and joins them in the order one classify run of the
 * whole set writes (see placeOf). Refuses, with one line naming the file: a
 * shard not finished or cut off, a row whose check fails, an input in two
 * shards, shards made with another model or options (as far as the files
 * record them), and mixed formats.
 */
export async function mergeShards(files: readonly string[]): Promise<MergedShards> {
  if (files.length === 0) throw new ScanLensError('no shards to merge');
  const seenPath = new Map<string, string>();
  for (const file of files) {
    const earlier = seenPath.get(resolve(file));
    if (earlier !== undefined) throw new ScanLensError(`is given twice${earlier === file ? '' : ` (also as ${earlier})`}`, file);
    seenPath.set(resolve(file), file);
  }
  await refuseUnfinishedSiblings(files);
  const shards: Shard[] = [];
  for (const file of files) shards.push(await readShard(file));
  const first = shards[0]!;
  const owner = new Map<string, string>();
  const reference = new Map<string, { value: string; file: string }>();
  for (const shard of shards) {
    if (shard.format !== first.format) {
      throw new ScanLensError(`is ${FORMAT_NAME[shard.format]}, and ${first.file} is ${FORMAT_NAME[first.format]}: merge shards of one format`, shard.file);
    }
    if (shard.header && !shard.header.equals(first.header!)) {
      throw new ScanLensError(`was written with another model than ${first.file}: its columns differ (${lineText(shard.header)} / ${lineText(first.header!)})`, shard.file);
    }
    for (const { row } of shard.rows) {
      const other = owner.get(row.file);
      if (other !== undefined)
        throw new ScanLensError(`input '${row.file}' is in ${other === shard.file ? 'it twice' : `it and in ${other}`}: shards of one classification never share an input`, shard.file);
      owner.set(row.file, shard.file);
      for (const [name, value] of settings(row, shard.format)) {
        const seen = reference.get(name);
        if (!seen) reference.set(name, { value, file: shard.file });
        else if (seen.value !== value) {
          const what = name === 'axis' || name === '--top' ? 'other options' : 'another model';
          throw new ScanLensError(`was written with ${what} than ${seen.file}: ${name} ${value} for '${row.file}', not ${seen.value}`, shard.file);
        }
      }
    }
  }
  const all = shards.flatMap((s) => s.rows);
  const { firstSlice, notes } = await firstSlices(all.map((r) => r.row));
  const ordered = inOneRunOrder(all, firstSlice);
  const content = Buffer.concat([...(first.header ? [first.header] : []), ...ordered.map((r) => r.bytes)]);
  return { format: first.format, content, rows: ordered.map((r) => r.row), shards: shards.map((s) => ({ file: s.file, rows: s.rows.length })), notes };
}

/** Writes the merged file atomically; never over one of the shards it was merged from. */
export async function writeMerged(merged: MergedShards, path: string): Promise<void> {
  const shard = merged.shards.find((s) => resolve(s.file) === resolve(path));
  if (shard) throw new ScanLensError('is one of the shards being merged: write the merged file elsewhere', path);
  await writeFileAtomic(path, merged.content);
}

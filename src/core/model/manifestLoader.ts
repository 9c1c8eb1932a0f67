import { basename } from 'node:path';
import type { z } from 'zod';
import { ScanLensError } from '../errors';
import { readRegularFile } from '../io/regularFile';
import { ManifestSchema, type Manifest } from './manifest';

/** Manifests are small; anything larger is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** zod issues as "field.path: message" pairs, so the user sees which field is wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Reads and validates a manifest; every error names the file and the field. */
export async function readManifest(path: string): Promise<Manifest> {
  const name = basename(path);
  const bytes = await readRegularFile(path, MAX_MANIFEST_BYTES, 'manifest');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ScanLensError(`${name} is not valid JSON (${error instanceof Error ? error.message : String(error)})`, path);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new ScanLensError(`invalid manifest: ${describeIssues(parsed.error)}`, path);
  return parsed.data;
}

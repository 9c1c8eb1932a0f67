import { stat } from 'node:fs/promises';
import { glob, isDynamicPattern } from 'tinyglobby';
import { listScans } from '../core/scan/listScans';

export interface ExpandedInputs {
  /** Files to process, in a stable order. */
  readonly files: string[];
  /** Arguments that named nothing, with the reason (they become error rows). */
  readonly missing: { file: string; error: string }[];
  /** Files inside folders that are not scans (skipped, counted). */
  readonly skipped: number;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/**
 * Turns command-line arguments (files, folders, globs) into the files to
 * classify. Inside folders a file counts as a scan by extension or content;
 * a file named explicitly is always tried, so its error is reported.
 */
export async function expandInputs(args: readonly string[]): Promise<ExpandedInputs> {
  const files: string[] = [];
  const missing: { file: string; error: string }[] = [];
  let skipped = 0;
  for (const arg of args) {
    const info = await stat(arg).catch(() => undefined);
    if (info?.isDirectory()) {
      const listing = await listScans(arg);
      files.push(...listing.files);
      skipped += listing.skipped;
    } else if (info) {
      files.push(arg);
    } else if (isDynamicPattern(arg)) {
      const matched = (await glob(arg, { onlyFiles: true, expandDirectories: false })).sort(collator.compare);
      if (matched.length === 0) missing.push({ file: arg, error: `${arg}: no files match` });
      files.push(...matched);
    } else {
      missing.push({ file: arg, error: `${arg}: no such file or folder` });
    }
  }
  return { files: [...new Set(files)], missing, skipped };
}

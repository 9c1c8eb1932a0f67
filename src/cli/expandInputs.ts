import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { SNIFF_BYTES, hasScanExtension, sniffFormat } from '../core/scan/sniff';

export interface ExpandedInputs {
  /** Files to process, in a stable order. */
  readonly files: string[];
  /** Arguments that named nothing, with the reason (they become error rows). */
  readonly missing: { file: string; error: string }[];
  /** Files inside folders that are not scans (skipped, counted). */
  readonly skipped: number;
}

const collator = new Intl.Collator(undefined, { numeric: true });

async function looksLikeScan(path: string): Promise<boolean> {
  if (hasScanExtension(path)) return true;
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return sniffFormat(head.subarray(0, bytesRead)) !== undefined;
  } finally {
    await handle.close();
  }
}

/** Every file below a folder, skipping hidden entries and node_modules. */
async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

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
      const found = (await walk(arg)).sort(collator.compare);
      for (const file of found) {
        if (await looksLikeScan(file)) files.push(file);
        else skipped++;
      }
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

import { readdir } from 'node:fs/promises';
import { openRegular } from '../io/regularFile';
import { join } from 'node:path';
import { SNIFF_BYTES, hasScanExtension, sniffFormat } from './sniff';

export interface ScanListing {
  /** Scan files below the folder, in natural sort order. */
  readonly files: string[];
  /** Files that are neither named nor shaped like a scan. */
  readonly skipped: number;
}

const collator = new Intl.Collator(undefined, { numeric: true });

/** A scan by extension (so a broken one still gets an error row) or by content. */
async function looksLikeScan(path: string): Promise<boolean> {
  if (hasScanExtension(path)) return true;
  // Walked entries are regular files, but one may be swapped for a FIFO before it is read: never opened then.
  const handle = await openRegular(path).then(
    (opened) => opened.handle,
    () => undefined,
  );
  if (!handle) return false;
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return sniffFormat(head.subarray(0, bytesRead)) !== undefined;
  } finally {
    await handle.close();
  }
}

async function walk(folder: string, out: string[]): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(folder, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/**
 * Every scan below a folder, recursively; hidden entries and node_modules are
 * skipped, and so are a report folder's own outputs (`exclude`).
 */
export async function listScans(folder: string, exclude: (path: string) => boolean = () => false): Promise<ScanListing> {
  const all: string[] = [];
  await walk(folder, all);
  const files: string[] = [];
  let skipped = 0;
  for (const file of all.sort(collator.compare)) {
    if (!exclude(file) && (await looksLikeScan(file))) files.push(file);
    else skipped++;
  }
  return { files, skipped };
}

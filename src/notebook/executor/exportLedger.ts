import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ScanLensError } from '../../core/errors';
import { writeFileAtomic } from '../../core/io/atomicWrite';

/** Beside the files it lists: which files notebook exports wrote there, by the sha256 of what they wrote. */
export const LEDGER_FILE = '.scanlens-exports.json';
const MAX_LEDGER_BYTES = 1024 * 1024;

const LedgerSchema = z.strictObject({
  schema: z.literal('scanlens.exports/1'),
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
type Ledger = z.infer<typeof LedgerSchema>;

const sha256 = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function readLedger(folder: string): Promise<Ledger> {
  const path = join(folder, LEDGER_FILE);
  const info = await lstat(path).catch(() => undefined);
  const empty: Ledger = { schema: 'scanlens.exports/1', files: {} };
  // A ledger that is not ours (too large, not JSON, wrong shape) vouches for nothing.
  if (!info?.isFile() || info.size > MAX_LEDGER_BYTES) return empty;
  try {
    return LedgerSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return empty;
  }
}

/**
 * Writes an export unless that would replace a file ScanLens did not write:
 * an existing file is replaced only when its bytes are exactly what an
 * earlier export recorded (so a re-run updates its own results, but a file
 * someone wrote or edited since is kept), or when the cell says
 * `overwrite=true`.
 */
export async function writeExport(path: string, shown: string, content: string, overwrite: boolean): Promise<void> {
  if (basename(path) === LEDGER_FILE) throw new ScanLensError(`${LEDGER_FILE} is where ScanLens records its exports; choose another name`, shown);
  const folder = dirname(path);
  const ledger = await readLedger(folder);
  const existing = await readFile(path).catch(() => undefined);
  if (existing !== undefined && !overwrite && ledger.files[basename(path)] !== sha256(existing)) {
    throw new ScanLensError('exists and was not written by a ScanLens export (or was changed since); add overwrite=true to replace it', shown);
  }
  await writeFileAtomic(path, content);
  ledger.files[basename(path)] = sha256(content);
  await writeFileAtomic(join(folder, LEDGER_FILE), JSON.stringify(ledger, null, 2) + '\n');
}

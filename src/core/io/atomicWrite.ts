import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkOutputTarget, writeFailure } from './regularFile';

/**
 * Writes a file so readers only ever see the old or the whole new content:
 * write a sibling temp file, then rename over the target (atomic on POSIX).
 * The target must be new or a regular file — never a link, folder, FIFO,
 * socket or device, which a rename would replace — and any failure (refused
 * target, read-only folder, full disk, permission) is one line naming the
 * file; the temp file is removed and the target left as it was. Content
 * given as pieces (an async iterable) is written as they come.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array | AsyncIterable<string>): Promise<void> {
  const folder = dirname(path);
  await checkOutputTarget(path);
  const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    await writeFile(temp, content, { flag: 'wx' });
    // Checked again just before the rename: what was a file may have been replaced while the temp file was written.
    await checkOutputTarget(path);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeFailure(error, path);
  }
}

import { closeSync, constants, fstatSync, lstatSync, openSync, statSync, type Stats } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import { ScanLensError } from '../errors';

/**
 * Inputs (scans, models, manifests, detectors, notebooks) are opened only when
 * they are regular files, and outputs are written only over regular files or
 * as new ones: opening a FIFO blocks until someone writes to it, a device
 * reads without end, and renaming a finished file over /dev/null replaces the
 * device. Inputs follow symbolic links (a link to a regular file is read);
 * outputs do not (a link is not replaced by a file).
 */

/** What a non-regular file is, in words. */
export function fileKind(info: Stats): string {
  if (info.isFile()) return 'a regular file';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export const notRegular = (info: Stats): string => `is ${fileKind(info)}, not a regular file`;

/** O_NONBLOCK, so a FIFO put in a file's place between the check and the open cannot block (ignored for regular files). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function openFailure(error: unknown, path: string): ScanLensError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a folder'
          : code === 'ELOOP'
            ? 'too many levels of symbolic links'
            : `cannot open (${code ?? String(error)})`;
  return new ScanLensError(reason, path);
}

/** Opens an input for reading only if it is (or links to) a regular file; checked before the open and again on the open descriptor. */
export async function openRegular(path: string): Promise<{ handle: FileHandle; info: Stats }> {
  const before = await stat(path).catch((error: unknown) => {
    throw openFailure(error, path);
  });
  if (!before.isFile()) throw new ScanLensError(notRegular(before), path);
  const handle = await open(path, READ_FLAGS).catch((error: unknown) => {
    throw openFailure(error, path);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ScanLensError(notRegular(info), path);
    return { handle, info };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** openRegular with blocking calls, for threads with nothing else to do. */
export function openRegularSync(path: string): { fd: number; info: Stats } {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (error) {
    throw openFailure(error, path);
  }
  if (!before.isFile()) throw new ScanLensError(notRegular(before), path);
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    throw openFailure(error, path);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new ScanLensError(notRegular(info), path);
    return { fd, info };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * A whole regular file, refused by one line naming it when it is something
 * else or larger than `limit` bytes (`what` names it: "model", "manifest").
 */
export async function readRegularFile(path: string, limit: number, what = 'file'): Promise<Buffer> {
  const { handle, info } = await openRegular(path).catch((error: unknown) => {
    if (error instanceof ScanLensError && error.message.endsWith('no such file')) throw new ScanLensError(`${what} not found`, path);
    throw error;
  });
  try {
    if (info.size > limit) throw new ScanLensError(`${what} is ${info.size} bytes, over the ${limit}-byte limit`, path);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Whether an output may be written at `path`: it must not exist yet or be a
 * regular file (not a link, folder, FIFO, socket or device), so an atomic
 * rename never replaces anything else. Refuses with one line naming the file.
 */
export async function checkOutputTarget(path: string): Promise<void> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ScanLensError(`cannot write: ${error.code ?? error.message}`, path);
  });
  if (info && !info.isFile()) throw new ScanLensError(`cannot write the output here: it ${notRegular(info)}`, path);
}

/** checkOutputTarget with a blocking call. */
export function checkOutputTargetSync(path: string): void {
  let info: Stats | undefined;
  try {
    info = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ScanLensError(`cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, path);
  }
  if (info && !info.isFile()) throw new ScanLensError(`cannot write the output here: it ${notRegular(info)}`, path);
}

/** A write failure as one line naming the file: read-only folder, full disk, permission. */
export function writeFailure(error: unknown, path: string): ScanLensError {
  if (error instanceof ScanLensError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EFBIG: 'file too large for this system or its limits',
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOENT: 'its folder does not exist',
    ENOTDIR: 'a part of its path is not a folder',
    EISDIR: 'is a folder',
    EIO: 'input/output error',
  };
  return new ScanLensError(`cannot write (${code && reason[code] ? `${reason[code]}, ${code}` : (code ?? (error instanceof Error ? error.message : String(error)))})`, path);
}

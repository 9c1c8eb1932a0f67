import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ScanLensError } from '../errors';

/** Whether `path` is `root` or lies below it (both absolute, already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + '/') && !rel.startsWith('..\\'));
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended (for files not written yet). */
export async function realPathOf(path: string): Promise<string> {
  const full = resolve(path);
  const real = await realpath(full).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(full);
  if (parent === full) return full;
  return resolve(await realPathOf(parent), relative(parent, full));
}

/**
 * A path that a file (manifest, detector) names beside itself: it must lie in
 * `folder` once symlinks are resolved, so a shared model folder cannot make
 * ScanLens read files elsewhere. Returns the path as written, resolved.
 */
export async function pathInFolder(folder: string, named: string, field: string, file: string): Promise<string> {
  const full = resolve(folder, named);
  const [realFolder, realTarget] = await Promise.all([realPathOf(folder), realPathOf(full)]);
  if (!isInside(realFolder, realTarget)) {
    throw new ScanLensError(`field '${field}' points outside the folder of ${file.split(/[\\/]/).pop()} (${named}); it must name a file beside it or below it`, file);
  }
  return full;
}

/**
 * The folders a notebook may touch: its own folder and the workspace's. Every
 * path a cell reads or writes is checked here after resolving symlinks, so a
 * shared notebook cannot read or overwrite files elsewhere.
 */
export class PathScope {
  private constructor(
    /** As given, for messages. */
    readonly roots: readonly string[],
    private readonly realRoots: readonly string[],
    private readonly realReadOnly: readonly string[],
  ) {}

  /** `readOnly`: folders cells may read but never write (ScanLens' own bundled models). */
  static async of(roots: readonly string[], readOnly: readonly string[] = []): Promise<PathScope> {
    const unique = [...new Set(roots.map((r) => resolve(r)))];
    const [real, realReadOnly] = await Promise.all([Promise.all(unique.map(realPathOf)), Promise.all(readOnly.map(realPathOf))]);
    return new PathScope(unique, real, realReadOnly);
  }

  private async check(path: string, shown: string, verb: 'reading' | 'writing'): Promise<void> {
    const real = await realPathOf(path);
    const allowed = verb === 'reading' ? [...this.realRoots, ...this.realReadOnly] : this.realRoots;
    if (allowed.some((root) => isInside(root, real))) return;
    const where = this.roots.length > 1 ? "the notebook's folder and the workspace" : "the notebook's folder";
    // The resolved path stays out of the message: notebook outputs carry no home folders.
    throw new ScanLensError(`${verb} outside ${where} is not allowed (links resolved)`, shown);
  }

  /** Throws unless `path` (absolute) resolves inside a root. */
  async readable(path: string, shown: string): Promise<void> {
    await this.check(path, shown, 'reading');
  }

  /** Throws unless `path` resolves inside a root and is a new file or a regular file (never a link, device or folder). */
  async writable(path: string, shown: string): Promise<void> {
    const existing = await lstat(path).catch(() => undefined);
    if (existing && !existing.isFile()) throw new ScanLensError('exists and is not a regular file', shown);
    await this.check(path, shown, 'writing');
  }
}

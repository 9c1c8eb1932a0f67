import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { PathScope } from '../../core/io/containment';
import { oneLine } from '../../core/errors';
import { listScans } from '../../core/scan/listScans';

const collator = new Intl.Collator(undefined, { numeric: true });

/** A path as a cell wrote it → absolute, against the notebook's folder. */
export function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** An absolute path as outputs show it: relative to the notebook, with forward slashes, so outputs carry no home folders. */
export function displayPath(baseDir: string, path: string): string {
  const rel = relative(baseDir, path);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

/** Rewrites absolute paths under the notebook's folder inside a message to notebook-relative ones. */
export function relativeMessage(baseDir: string, message: string): string {
  return message.split(baseDir + sep).join('');
}

export interface ResolvedInputs {
  readonly files: string[];
  /** Arguments that named nothing, as error rows. */
  readonly missing: { readonly file: string; readonly error: string }[];
}

/**
 * Files, folders (recursively, scans only) and globs, relative to the
 * notebook, in a stable order. Anything that resolves outside the scope is an
 * error row of its own and is never opened.
 */
export async function resolveInputs(scope: PathScope, baseDir: string, args: readonly string[]): Promise<ResolvedInputs> {
  const files: string[] = [];
  const missing: { file: string; error: string }[] = [];
  const inScope = async (path: string): Promise<boolean> => {
    const shown = displayPath(baseDir, path);
    try {
      await scope.readable(path, shown);
      return true;
    } catch (error) {
      missing.push({ file: shown, error: oneLine(error) });
      return false;
    }
  };
  for (const arg of args) {
    const full = resolvePath(baseDir, arg);
    const info = await stat(full).catch(() => undefined);
    if (info && !(await inScope(full))) continue;
    // listScans skips links inside a folder, so what it lists lies inside it.
    if (info?.isDirectory()) files.push(...(await listScans(full)).files);
    else if (info) files.push(full);
    else if (isDynamicPattern(arg)) {
      const matched = (await glob(arg, { cwd: baseDir, absolute: true, onlyFiles: true, expandDirectories: false })).map((m) => resolve(m)).sort(collator.compare);
      if (matched.length === 0) missing.push({ file: arg, error: `${arg}: no files match` });
      for (const m of matched) if (await inScope(m)) files.push(m);
    } else missing.push({ file: arg, error: `${arg}: no such file or folder` });
  }
  return { files: [...new Set(files)], missing };
}

import { readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { LineCompletion } from './completeLine';

/** Entries of the folder a typed path points into (hidden ones only when asked for), folders with a trailing slash. */
export async function pathCompletions(baseDir: string, prefix: string): Promise<LineCompletion[]> {
  const slash = prefix.lastIndexOf('/');
  const folder = slash >= 0 ? prefix.slice(0, slash + 1) : '';
  const typed = prefix.slice(slash + 1);
  const dir = isAbsolute(folder) ? folder : join(baseDir, folder);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => typed.startsWith('.') || !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => ({ label: `${folder}${e.name}${e.isDirectory() ? '/' : ''}`, kind: 'path' as const }));
}

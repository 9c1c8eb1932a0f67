import { resolve } from 'node:path';
import { oneLine } from '../core/errors';

/**
 * A file as the user typed it and as jobs take it (absolute). Jobs' errors
 * name the absolute path; the CLI reports them under the name typed.
 */
export interface GivenPath {
  readonly given: string;
  readonly path: string;
}

export function givenPath(file: string): GivenPath {
  return { given: file, path: resolve(file) };
}

/** One line about `file`: the error's own text, its path as typed. */
export function errorAbout(file: GivenPath, error: unknown): string {
  const text = oneLine(error);
  const prefix = `${file.path}: `;
  if (text.startsWith(prefix)) return `${file.given}: ${text.slice(prefix.length)}`;
  if (text.startsWith(`${file.given}: `)) return text;
  return `${file.given}: ${text}`;
}

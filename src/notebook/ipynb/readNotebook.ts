import { readFile } from 'node:fs/promises';
import { ScanLensError } from '../../core/errors';
import { NotebookSchema, type IpynbNotebook } from './ipynbSchema';

/** Parses notebook text; a mistake names the file and the path inside the JSON. */
export function parseNotebook(text: string, name: string): IpynbNotebook {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScanLensError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`, name);
  }
  const parsed = NotebookSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where =
      issue.path.length > 0
        ? issue.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')
        : 'top level';
    throw new ScanLensError(`not an nbformat 4 notebook: ${where}: ${issue.message}`, name);
  }
  return parsed.data;
}

export async function readNotebook(path: string, name = path): Promise<IpynbNotebook> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ScanLensError(error.code === 'ENOENT' ? 'no such file' : `cannot read (${error.code ?? error.message})`, name);
  });
  return parseNotebook(text, name);
}

/** A cell's source as one string. */
export function sourceText(source: string | readonly string[]): string {
  return typeof source === 'string' ? source : source.join('');
}

import { ScanLensError } from '../../core/errors';
import { readRegularFile } from '../../core/io/regularFile';
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
  // A FIFO or device in the notebook's place is refused before it is opened (readFile would wait on it for ever).
  const bytes = await readRegularFile(path, Number.POSITIVE_INFINITY, 'notebook').catch((error: unknown) => {
    const reason = error instanceof Error ? error.message.slice(error.message.startsWith(`${path}: `) ? path.length + 2 : 0) : String(error);
    throw new ScanLensError(reason === 'notebook not found' ? 'no such file' : reason, name);
  });
  const text = bytes.toString('utf8');
  return parseNotebook(text, name);
}

/** A cell's source as one string. */
export function sourceText(source: string | readonly string[]): string {
  return typeof source === 'string' ? source : source.join('');
}

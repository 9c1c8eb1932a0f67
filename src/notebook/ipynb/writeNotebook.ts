import { randomUUID } from 'node:crypto';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import { SCANLENS_VERSION } from '../../core/version';
import type { NotebookOutput } from '../outputs/notebookOutput';
import type { IpynbCell, IpynbNotebook, IpynbOutput } from './ipynbSchema';

export const KERNELSPEC = { name: 'scanlens', display_name: 'ScanLens', language: 'scanlens' } as const;

/** Text as nbformat stores it: lines that keep their newline, so saved notebooks diff line by line. */
export function toLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** One executor output as an nbformat output; JSON mime types stay objects, text becomes lines. */
export function toIpynbOutput(output: NotebookOutput): IpynbOutput {
  if (output.kind === 'error') {
    return { output_type: 'error', ename: output.name, evalue: output.message, traceback: toLines(output.message).map((l) => l.replace(/\n$/, '')) };
  }
  const data: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(output.data)) {
    data[mime] = typeof value === 'string' && mime.startsWith('text/') ? toLines(value) : value;
  }
  return { output_type: 'display_data', data, metadata: output.metadata };
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

/** nbformat 4.5: every cell has a unique id; keep good ones, give the rest fresh ones. */
function withIds(cells: readonly IpynbCell[]): IpynbCell[] {
  const seen = new Set<string>();
  return cells.map((cell) => {
    let id = cell.id !== undefined && ID_PATTERN.test(cell.id) && !seen.has(cell.id) ? cell.id : undefined;
    while (id === undefined || seen.has(id)) id = randomUUID().slice(0, 8);
    seen.add(id);
    return { ...cell, id };
  });
}

/** The notebook as ScanLens saves it: nbformat 4.5, the ScanLens kernelspec and language_info, ids on every cell. */
export function normaliseNotebook(notebook: IpynbNotebook): IpynbNotebook {
  return {
    ...notebook,
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      ...notebook.metadata,
      kernelspec: KERNELSPEC,
      language_info: { name: 'scanlens', version: SCANLENS_VERSION, file_extension: '.scanlens', mimetype: 'text/x-scanlens' },
    },
    cells: withIds(notebook.cells),
  };
}

export function serializeNotebook(notebook: IpynbNotebook): string {
  return JSON.stringify(normaliseNotebook(notebook), null, 1) + '\n';
}

/** Written atomically: an interrupted run never leaves half a notebook. */
export async function writeNotebook(path: string, notebook: IpynbNotebook): Promise<void> {
  await writeFileAtomic(path, serializeNotebook(notebook));
}

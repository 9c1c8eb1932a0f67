import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import type { NotebookResult } from '../../protocol/notebookResult';
import { OpenResultsRequestSchema } from '../../protocol/rendererMessages';

type Classify = Extract<NotebookResult, { kind: 'classify' }>;

/** A notebook classify row as classify's JSON writes it (the notebook's volume rows carry their peaks, not every slice). */
function resultRow(row: Classify['rows'][number]): Record<string, unknown> {
  if ('error' in row) return { ...row, kind: row.kind ?? 'image' };
  if ('peaks' in row) {
    const { slices, ...rest } = row;
    return { ...rest, sliceCount: slices, slices: [] };
  }
  return { kind: 'image', ...row };
}

/**
 * The renderer's Open in Results View: the classify output's rows, validated,
 * written as a classify result under the extension's storage (named by their
 * content, so the same output opens the same file) for the results view to
 * open, paths relative to the notebook's folder. Undefined for any other message.
 */
export async function notebookResults(message: unknown, storage: string): Promise<string | undefined> {
  const request = OpenResultsRequestSchema.safeParse(message);
  if (!request.success || request.data.result.kind !== 'classify') return undefined;
  const { labels, rows } = request.data.result;
  const text = JSON.stringify({ model: { name: 'notebook classify output', labels }, results: rows.map(resultRow) }, null, 2) + '\n';
  const path = join(storage, 'notebook-results', `${createHash('sha256').update(text).digest('hex').slice(0, 24)}.json`);
  await writeFileAtomic(path, text);
  return path;
}

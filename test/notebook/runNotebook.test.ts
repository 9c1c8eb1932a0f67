import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { parseNotebook } from '../../src/notebook/ipynb/readNotebook';
import { runNotebook } from '../../src/notebook/ipynb/runNotebook';
import { ROOT } from '../helpers/paths';

const scratch = mkdtemp(join(tmpdir(), 'scanlens-runnb-'));
after(async () => rm(await scratch, { recursive: true, force: true }));

const session = (): NotebookSession =>
  new NotebookSession({ baseDir: join(ROOT, 'samples'), readOnlyRoots: [join(ROOT, 'models')], defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'), threads: 1 });
const code = (source: string, metadata: Record<string, unknown> = {}): Record<string, unknown> => ({ cell_type: 'code', metadata, source, outputs: [], execution_count: null });
const notebook = (cells: Record<string, unknown>[]) => parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }), 'n.ipynb');

test('cells run in order with one session: counts, outputs, timing in metadata; a failing cell does not stop the rest', async () => {
  const cells: number[] = [];
  const run = await runNotebook(
    notebook([code('classify glioma-01.png'), { cell_type: 'markdown', metadata: {}, source: 'text' }, code('explain nothere.png'), code(`export "${join(await scratch, 'rows.txt')}" format=json`)]),
    // The scratch folder stands in for a workspace folder, where exports may go.
    new NotebookSession({
      baseDir: join(ROOT, 'samples'),
      roots: [await scratch],
      readOnlyRoots: [join(ROOT, 'models')],
      defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'),
      threads: 1,
    }),
    { onCell: (c) => cells.push(c.index) },
  );
  assert.deepEqual(cells, [0, 2, 3]);
  assert.deepEqual(
    run.cells.map((c) => c.ok),
    [true, false, true],
  );
  const counts = run.notebook.cells.map((c) => (c.cell_type === 'code' ? c.execution_count : 'md'));
  assert.deepEqual(counts, [1, 'md', 2, 3]);
  const last = run.notebook.cells[3]!;
  // export used the table classify left in the session two cells earlier.
  assert.match(JSON.stringify(last.cell_type === 'code' && last.outputs), /wrote 1 classify row/);
  assert.equal(typeof (run.notebook.cells[0]!.metadata['scanlens'] as { durationMs: unknown }).durationMs, 'number');
});

test('cells VS Code marked as another language are left as they are; a cancelled run leaves later cells alone', async () => {
  const python = code('print(1)', { vscode: { languageId: 'python' } });
  const run = await runNotebook(notebook([python, code('info glioma-01.png')]), session());
  assert.deepEqual(run.notebook.cells[0], notebook([python]).cells[0]);
  assert.equal(run.cells.length, 1);
  const controller = new AbortController();
  controller.abort();
  const cancelled = await runNotebook(notebook([code('info glioma-01.png')]), session(), { signal: controller.signal });
  assert.equal(cancelled.cells.length, 0);
  const cell = cancelled.notebook.cells[0]!;
  assert.deepEqual(cell.cell_type === 'code' && cell.outputs, []);
});

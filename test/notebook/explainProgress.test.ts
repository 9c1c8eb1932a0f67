import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Progress } from '../../src/notebook/executor/commandContext';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { ROOT } from '../helpers/paths';

// Derived models go to a fresh folder, never the user's cache.
process.env['SCANLENS_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'scanlens-notebook-explain-progress-'));
const MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const session = (): NotebookSession => new NotebookSession({ baseDir: join(ROOT, 'samples'), defaultModelPath: MODEL, threads: 1 });

test('explain method=scorecam shows its runs as the cell progress, rising to the total', async () => {
  const progress: Progress[] = [];
  const run = await executeCell(session(), 'explain glioma-01.png method=scorecam', { onProgress: (p) => progress.push(p) });
  assert.ok(run.ok);
  assert.ok(progress.length > 1);
  const total = progress[0]!.total;
  progress.forEach((p, i) => {
    assert.equal(p.line, 1);
    assert.equal(p.total, total);
    assert.ok(i === 0 || p.done > progress[i - 1]!.done);
  });
  assert.equal(progress.at(-1)!.done, total);
  assert.equal(progress.at(-1)!.message, `scorecam: ran ${total} of ${total}`);
});

test('cancelling a cell during explain method=occlusion stops it between batches and says so, with no overlay', async () => {
  const controller = new AbortController();
  let reports = 0;
  const run = await executeCell(session(), 'explain glioma-01.png method=occlusion', {
    signal: controller.signal,
    onProgress: () => {
      reports++;
      controller.abort();
    },
  });
  assert.ok(run.cancelled);
  assert.equal(reports, 1);
  assert.equal(run.outputs.length, 1);
  const output = run.outputs[0]!;
  assert.ok(output.kind === 'error' && output.name === 'Cancelled' && /^cancelled during line 1/.test(output.message));
});

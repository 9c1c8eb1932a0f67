import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { notebookResults } from '../../../src/host/results/notebookResults';
import { readResultFile } from '../../../src/host/results/resultFile';
import { resultsView } from '../../../src/host/results/resultsView';

const storage = mkdtempSync(join(tmpdir(), 'scanlens-notebook-results-'));
after(() => rmSync(storage, { recursive: true, force: true }));

const labels = ['glioma', 'notumor'];
const output = {
  kind: 'classify',
  labels,
  rows: [
    { file: 'scans/a.png', probabilities: [0.8, 0.2], top: { label: 'glioma', probability: 0.8 } },
    {
      file: 'vol/brain.nii',
      kind: 'volume',
      axis: 'axial',
      slices: 9,
      peaks: [
        { label: 'glioma', slice: 4, probability: 0.7 },
        { label: 'notumor', slice: 1, probability: 0.9 },
      ],
      top: { label: 'notumor', slice: 1, probability: 0.9 },
    },
    { file: 'scans/broken.png', error: 'scans/broken.png: not a PNG' },
  ],
};

test("a notebook's classify output becomes a result the view opens: images, volumes on their top slice, error rows, paths against the notebook's folder", async () => {
  const path = await notebookResults({ type: 'openResults', result: output }, storage);
  assert.ok(path !== undefined && path.startsWith(join(storage, 'notebook-results')), `written under the storage: ${path}`);
  assert.equal(await notebookResults({ type: 'openResults', result: output }, storage), path, 'the same output, the same file');
  const result = await readResultFile(path, '/work/notebooks');
  assert.deepEqual(
    result.resolved.map((r) => r.file),
    ['/work/notebooks/scans/a.png', '/work/notebooks/vol/brain.nii', '/work/notebooks/scans/broken.png'],
  );
  const view = await resultsView(result, 'notebook', path, undefined);
  assert.deepEqual(view.entries[0], { file: 'scans/a.png', kind: 'image', top: { label: 'glioma', probability: 0.8 }, margin: 0.6000000000000001, entropy: 0.7219280948873623 });
  assert.deepEqual(view.entries[1], { file: 'vol/brain.nii', kind: 'volume', slice: { axis: 'axial', index: 1, count: 9 }, top: { label: 'notumor', probability: 0.9 } });
  assert.deepEqual(view.entries[2], { file: 'scans/broken.png', kind: 'image', error: 'scans/broken.png: not a PNG' });
});

test('any other renderer message, or a classify output that does not validate, opens nothing', async () => {
  assert.equal(await notebookResults({ type: 'scanImage', requestId: 1, file: 'a.png' }, storage), undefined);
  assert.equal(await notebookResults({ type: 'openResults', result: { ...output, kind: 'evaluate' } }, storage), undefined);
  assert.equal(await notebookResults({ type: 'openResults', result: { ...output, rows: [{ file: 'x', probabilities: [2], top: { label: 'a', probability: 2 } }] } }, storage), undefined);
});

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { readLabelledScans } from '../../src/core/scan/labelledScans';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';

const scratch = mkdtemp(join(tmpdir(), 'scanlens-labelled-'));
after(async () => rm(await scratch, { recursive: true, force: true }));

test('a folder of class folders: each scan labelled by its folder; evaluate scores it', async () => {
  const base = await scratch;
  for (const [label, file] of [
    ['glioma', 'glioma-01.png'],
    ['glioma', 'glioma-02.png'],
    ['notumor', 'notumor-01.png'],
    ['notumor', 'pituitary-01.png'],
  ] as const) {
    await mkdir(join(base, 'set', label), { recursive: true });
    await copyFile(join(ROOT, 'samples', file), join(base, 'set', label, file));
  }
  const items = await readLabelledScans(join(base, 'set'), 'set');
  assert.deepEqual(
    items.map((i) => [i.label, i.file.slice(base.length + 1)]),
    [
      ['glioma', 'set/glioma/glioma-01.png'],
      ['glioma', 'set/glioma/glioma-02.png'],
      ['notumor', 'set/notumor/notumor-01.png'],
      ['notumor', 'set/notumor/pituitary-01.png'],
    ],
  );
  const session = new NotebookSession({ baseDir: base, defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'), threads: 1 });
  const run = await executeCell(session, 'evaluate set');
  assert.ok(run.ok);
  const output = run.outputs[0]!;
  const result = output.kind === 'display' ? (output.data[SCANLENS_RESULT_MIME] as { accuracy: number; confusion: number[][] }) : undefined;
  // The pituitary slice filed under notumor is (rightly) predicted pituitary: 3 of 4 agree with the folders.
  assert.equal(result!.accuracy, 0.75);
  assert.deepEqual(result!.confusion[2], [0, 0, 1, 1]);
});

test('CSV mistakes name the file and line; unknown labels name the file and the classes', async () => {
  const base = await scratch;
  await writeFile(join(base, 'nohead.csv'), 'path,class\na.png,glioma\n');
  await assert.rejects(readLabelledScans(join(base, 'nohead.csv'), 'nohead.csv'), /^ScanLensError: nohead\.csv: line 1: expected a header with 'file' and 'label' columns/);
  await writeFile(join(base, 'short.csv'), 'file,label\na.png,glioma\nb.png\n');
  await assert.rejects(readLabelledScans(join(base, 'short.csv'), 'short.csv'), /short\.csv: line 3: expected a file and a label, got 'b\.png'/);
  await copyFile(join(ROOT, 'samples', 'glioma-01.png'), join(base, 'g.png'));
  await writeFile(join(base, 'odd.csv'), 'label,file\nastrocytoma,"g.png"\n');
  const session = new NotebookSession({ baseDir: base, defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'), threads: 1 });
  const run = await executeCell(session, 'evaluate odd.csv');
  const error = run.outputs[0]!;
  assert.equal(error.kind, 'error');
  assert.equal(error.kind === 'error' && error.message, "line 1: evaluate odd.csv — odd.csv: unknown label 'astrocytoma' for g.png; the model's classes are glioma, meningioma, notumor, pituitary");
});

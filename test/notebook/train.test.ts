import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const work = mkdtempSync(join(tmpdir(), 'scanlens-train-cell-'));

function session(base: string, dryRun = false): NotebookSession {
  return new NotebookSession({ baseDir: base, defaultModelPath: DEMO, threads: 1, dryRun });
}

function display(run: Awaited<ReturnType<typeof executeCell>>): Record<string, unknown> {
  const output = run.outputs[0]!;
  assert.equal(output.kind, 'display', JSON.stringify(output));
  return (output as { data: Record<string, unknown> }).data;
}

test('a train cell writes the model the CLI writes from the same folder, shows its card and the cross-validation curve; under --check it shows the same and writes nothing', async () => {
  const base = join(work, 'notebook');
  await writeLabelledVariants(join(base, 'labelled'), 8, 4);
  const run = await executeCell(session(base), 'train labelled out=probe');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const data = display(run);
  assert.match(String(data['text/plain']), /^trained probe\/model\.json \(glioma, meningioma, notumor, pituitary\): validation accuracy \d+\.\d % on \d+ scans/);
  assert.match(String(data['text/markdown']), /^# brain-mri-demo-probe\n/);
  assert.ok(data['application/vnd.plotly.v1+json'] && data['image/svg+xml']);

  const cli = runCli(['train', join(base, 'labelled'), '--out', join(work, 'cli-probe')]);
  assert.equal(cli.status, 0, cli.stderr);
  for (const name of ['model.onnx', 'model.json', 'MODEL_CARD.md'])
    assert.ok(readFileSync(join(base, 'probe', name)).equals(readFileSync(join(work, 'cli-probe', name))), `${name}: notebook and CLI differ`);

  const checked = await executeCell(session(base, true), 'train labelled out=checked');
  assert.ok(checked.ok);
  assert.equal(display(checked)['text/markdown'], data['text/markdown']);
  assert.equal(existsSync(join(base, 'checked')), false, 'run --check wrote the model');
});

test('a class named like markup shows as typed in the card; a label CSV naming a scan outside the notebook is refused', async () => {
  const base = join(work, 'hostile');
  await writeLabelledVariants(join(base, 'labelled'), 3, 6);
  renameSync(join(base, 'labelled', 'pituitary'), join(base, 'labelled', '<img src=x onerror=alert(1)>'));
  const run = await executeCell(session(base), 'train labelled out=probe');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const markdown = String(display(run)['text/markdown']);
  assert.doesNotMatch(markdown, /(^|[^\\])<img/, 'raw markup in the card');
  assert.ok(markdown.includes('\\<img src=x onerror=alert(1)\\>'));

  const outside = join(work, 'outside.png');
  writeFileSync(outside, readFileSync(join(ROOT, 'samples', 'glioma-01.png')));
  mkdirSync(join(base, 'csv'));
  writeFileSync(join(base, 'csv', 'labels.csv'), `file,label\n${outside},glioma\n../labelled/glioma/glioma-000.png,glioma\n`);
  const refused = await executeCell(session(base), 'train csv/labels.csv out=never');
  assert.equal(refused.ok, false);
  const error = refused.outputs.at(-1)!;
  assert.equal(error.kind, 'error');
  assert.match((error as { message: string }).message, /outside/);
  assert.equal(existsSync(join(base, 'never')), false);
});

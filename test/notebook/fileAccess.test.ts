import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { NotebookOutput } from '../../src/notebook/outputs/notebookOutput';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/*
 * A shared notebook is untrusted input: whatever its cells say, it reads and
 * writes only inside its own folder (and the workspace's), links resolved.
 * Layout: work/outside (the user's other files), work/nb (the notebook's folder).
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-access-'));
after(() => rmSync(work, { recursive: true, force: true }));
const outside = join(work, 'outside');
const nb = join(work, 'nb');
mkdirSync(outside);
mkdirSync(nb);
const MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
copyFileSync(join(ROOT, 'samples', 'glioma-01.png'), join(nb, 'glioma-01.png'));
copyFileSync(join(ROOT, 'samples', 'glioma-01.png'), join(outside, 'private.png'));
writeFileSync(join(outside, 'victim.txt'), 'keep me\n');
symlinkSync(outside, join(nb, 'link-to-outside'));
symlinkSync(join(outside, 'victim.txt'), join(nb, 'victim-link.csv'));
symlinkSync(join(outside, 'private.png'), join(nb, 'private-link.png'));

const session = (): NotebookSession => new NotebookSession({ baseDir: nb, defaultModelPath: MODEL, threads: 1 });
const errorOf = (outputs: readonly NotebookOutput[]): string => {
  const last = outputs.at(-1);
  return last?.kind === 'error' ? last.message : '';
};
const outsideFiles = (): string[] => readdirSync(outside).sort();

test('export cannot write outside the notebook folder: .., absolute paths, linked folders and linked files', async () => {
  const before = outsideFiles();
  for (const target of ['../outside/stolen.csv', join(outside, 'abs.json'), 'link-to-outside/via-link.csv', 'victim-link.csv', '../../../../../../..' + join(outside, 'deep.csv')]) {
    const run = await executeCell(session(), `classify glioma-01.png\nexport ${target} format=csv`);
    assert.equal(run.ok, false, target);
    assert.match(errorOf(run.outputs), /outside the notebook's folder is not allowed|not a regular file/, target);
  }
  assert.deepEqual(outsideFiles(), before);
  assert.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'keep me\n');
});

test('a hostile file name in the table cannot steer the export anywhere', async () => {
  const hostile = join(nb, '$(touch PWNED).png');
  copyFileSync(join(ROOT, 'samples', 'glioma-01.png'), hostile);
  const run = await executeCell(session(), `classify "$(touch PWNED).png"\nexport ../../.bashrc format=json`);
  assert.equal(run.ok, false);
  assert.equal(existsSync(join(work, '.bashrc')), false);
  assert.equal(existsSync(join(nb, 'PWNED')), false);
  rmSync(hostile);
});

test('reads outside the folder are refused: inputs, globs, links, models and label files', async () => {
  const classify = await executeCell(session(), 'classify ../outside/private.png private-link.png link-to-outside glioma-01.png');
  assert.ok(classify.ok);
  const text = JSON.stringify(classify.outputs);
  // The three outside inputs are error rows; the inside one is classified.
  assert.equal((text.match(/reading outside the notebook's folder is not allowed/g) ?? []).length >= 3, true, text);
  assert.match(text, /glioma-01\.png {2}glioma/);
  for (const cell of [`info ${join(outside, 'private.png')}`, 'explain private-link.png', 'preprocess ../outside/private.png', `model ${MODEL}`, 'evaluate ../outside']) {
    const run = await executeCell(session(), cell);
    assert.equal(run.ok, false, cell);
    assert.match(errorOf(run.outputs), /reading outside the notebook's folder is not allowed/, cell);
  }
  // A label file inside the folder that names a file outside it.
  writeFileSync(join(nb, 'labels.csv'), 'file,label\nglioma-01.png,glioma\n../outside/private.png,glioma\n');
  const evaluate = await executeCell(session(), 'evaluate labels.csv');
  assert.match(errorOf(evaluate.outputs), /private\.png: reading outside the notebook's folder is not allowed/);
});

test('workspace folders given to the session are readable and writable too', async () => {
  const wide = new NotebookSession({ baseDir: nb, roots: [outside], defaultModelPath: MODEL, threads: 1 });
  const run = await executeCell(wide, 'classify ../outside/private.png\nexport ../outside/ok.csv');
  assert.ok(run.ok, errorOf(run.outputs));
  assert.ok(existsSync(join(outside, 'ok.csv')));
  rmSync(join(outside, 'ok.csv'));
  rmSync(join(outside, '.scanlens-exports.json'));
});

test('export replaces only files an export wrote: a re-run updates its own file, a user file needs overwrite=true', async () => {
  const mine = join(nb, 'results.csv');
  const first = await executeCell(session(), 'classify glioma-01.png\nexport results.csv');
  assert.ok(first.ok, errorOf(first.outputs));
  const again = await executeCell(session(), 'classify glioma-01.png\nexport results.csv');
  assert.ok(again.ok, errorOf(again.outputs));
  // Edited by the user since: kept unless the cell insists.
  writeFileSync(mine, 'my notes\n');
  const refused = await executeCell(session(), 'classify glioma-01.png\nexport results.csv');
  assert.match(errorOf(refused.outputs), /results\.csv: exists and was not written by a ScanLens export/);
  assert.equal(readFileSync(mine, 'utf8'), 'my notes\n');
  const forced = await executeCell(session(), 'classify glioma-01.png\nexport results.csv overwrite=true');
  assert.ok(forced.ok, errorOf(forced.outputs));
  assert.match(readFileSync(mine, 'utf8'), /^file,prediction/);
  // A ledger shipped with the notebook cannot vouch for a file whose bytes it does not match.
  writeFileSync(join(nb, 'analysis.py'), 'print("mine")\n');
  writeFileSync(join(nb, '.scanlens-exports.json'), JSON.stringify({ schema: 'scanlens.exports/1', files: { 'analysis.py': '0'.repeat(64) } }));
  const forged = await executeCell(session(), 'classify glioma-01.png\nexport analysis.py format=csv');
  assert.equal(forged.ok, false);
  assert.equal(readFileSync(join(nb, 'analysis.py'), 'utf8'), 'print("mine")\n');
});

function notebookFile(name: string, sources: string[]): string {
  const path = join(nb, name);
  const cells = sources.map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null }));
  writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells }));
  return path;
}

test('scanlens run: an escaping export fails its cell and writes nothing outside; --check writes nothing at all', () => {
  const before = outsideFiles();
  const hostile = notebookFile('hostile.ipynb', ['classify glioma-01.png\nexport ../outside/stolen.json', `classify glioma-01.png\nexport ${join(outside, 'abs.csv')}`]);
  const run = runCli(['run', hostile]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /cell 1: .*writing outside the notebook's folder is not allowed/);
  assert.match(run.stderr, /cell 2: .*writing outside the notebook's folder is not allowed/);
  assert.deepEqual(outsideFiles(), before);

  const exporting = notebookFile('exports.ipynb', ['classify glioma-01.png\nexport checked.csv']);
  assert.equal(runCli(['run', exporting]).status, 0);
  rmSync(join(nb, 'checked.csv'));
  const listing = readdirSync(nb).sort();
  const check = runCli(['run', '--check', exporting]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.deepEqual(readdirSync(nb).sort(), listing, 'run --check wrote a file');
  // --root widens the scope as a VS Code workspace folder does.
  const widened = notebookFile('wide.ipynb', ['info ../outside/private.png']);
  assert.equal(runCli(['run', widened]).status, 2);
  assert.equal(runCli(['run', widened, '--root', outside]).status, 0);
});

test('a manifest or detector cannot name files outside its folder, through .. or a link', () => {
  const model = join(work, 'linked-model');
  mkdirSync(model);
  copyFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.onnx'), join(outside, 'model.onnx'));
  symlinkSync(join(outside, 'model.onnx'), join(model, 'model.onnx'));
  copyFileSync(MODEL, join(model, 'model.json'));
  const linked = runCli(['classify', 'samples/glioma-01.png', '--model', join(model, 'model.json')]);
  assert.equal(linked.status, 1);
  assert.match(linked.stderr, /field 'file' points outside the folder of model\.json/);

  const guarded = join(work, 'guarded-model');
  mkdirSync(guarded);
  copyFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.onnx'), join(guarded, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(MODEL, 'utf8')) as Record<string, unknown>;
  writeFileSync(join(guarded, 'model.json'), JSON.stringify({ ...manifest, anomaly: { detector: join(ROOT, 'models', 'brain-mri-demo-padim') } }));
  const detector = runCli(['classify', 'samples/glioma-01.png', '--model', join(guarded, 'model.json')]);
  assert.equal(detector.status, 1);
  assert.match(detector.stderr, /field 'anomaly\.detector' points outside the folder of model\.json/);

  const padim = join(work, 'padim');
  mkdirSync(padim);
  for (const f of ['detector.json', 'padim-mean.npy', 'padim-cholesky.npy']) copyFileSync(join(ROOT, 'models', 'brain-mri-demo-padim', f), join(padim, f));
  const json = JSON.parse(readFileSync(join(padim, 'detector.json'), 'utf8')) as { backbone: { path: string } };
  json.backbone.path = '../../' + join(ROOT, 'models', 'brain-mri-demo', 'model.json');
  writeFileSync(join(padim, 'detector.json'), JSON.stringify(json));
  const score = runCli(['anomaly', 'score', 'samples/glioma-01.png', '--detector', padim]);
  assert.equal(score.status, 1, score.stdout);
  assert.match(score.stderr, /field 'backbone\.path' points outside the folder of detector\.json/);
});

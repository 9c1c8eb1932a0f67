import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const scratch = mkdtemp(join(tmpdir(), 'scanlens-run-'));
after(async () => rm(await scratch, { recursive: true, force: true }));

const code = (source: string): Record<string, unknown> => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });

async function notebook(name: string, cells: Record<string, unknown>[]): Promise<string> {
  const path = join(await scratch, name);
  await writeFile(path, JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells }));
  return path;
}

const sample = (file: string): string => JSON.stringify(join(ROOT, 'samples', file));
// These notebooks live in a scratch folder and read the samples where they are: the samples folder is given as a workspace root.
const SAMPLES_ROOT = ['--root', join(ROOT, 'samples')];

test('run --check passes on the committed sample notebook and leaves it untouched', async () => {
  const before = await readFile(join(ROOT, 'samples', 'analysis.ipynb'), 'utf8');
  const result = runCli(['run', '--check', 'samples/analysis.ipynb']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /6 cell\(s\) run, 0 failed; matches the saved outputs \(tolerance 0\.0001\)/);
  assert.equal(await readFile(join(ROOT, 'samples', 'analysis.ipynb'), 'utf8'), before);
});

test('run saves outputs in place; --check then lists a tampered number and exits 2', async () => {
  const path = await notebook('tampered.ipynb', [{ cell_type: 'markdown', metadata: {}, source: '# two scans' }, code(`classify ${sample('glioma-01.png')} ${sample('notumor-02.png')}`)]);
  const first = runCli(['run', path, '--threads', '1', ...SAMPLES_ROOT]);
  assert.equal(first.status, 0, first.stderr);
  const saved = JSON.parse(await readFile(path, 'utf8'));
  assert.equal(saved.nbformat_minor, 5);
  assert.equal(saved.cells[1].execution_count, 1);
  assert.equal(runCli(['run', '--check', path, ...SAMPLES_ROOT]).status, 0);
  const payload = saved.cells[1].outputs[0].data['application/vnd.scanlens.result+json'];
  payload.rows[1].probabilities[2] -= 0.25;
  await writeFile(path, JSON.stringify(saved));
  const check = runCli(['run', '--check', path, ...SAMPLES_ROOT]);
  assert.equal(check.status, 2);
  assert.match(check.stdout, /^cell 2, result 1 \(classify .*\): rows\[1\]\.probabilities\[2\]: saved [\d.]+ → now [\d.]+ \(off by 2\.50e-1\)$/m);
  assert.match(check.stdout, /1 difference\(s\) from the saved outputs/);
  assert.equal(runCli(['run', '--check', path, '--tolerance', '0.3', ...SAMPLES_ROOT]).status, 0);
});

test('a failing cell is saved as an error output, the next cells still run, exit 2; --out leaves the input alone', async () => {
  const path = await notebook('failing.ipynb', [code('explain nothere.png'), code(`info ${sample('glioma-01.png')}`)]);
  const out = join(await scratch, 'out', 'ran.ipynb');
  const result = runCli(['run', path, '--out', out, ...SAMPLES_ROOT]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^scanlens: cell 1: line 1: explain nothere\.png — nothere\.png: /m);
  const ran = JSON.parse(await readFile(out, 'utf8'));
  assert.equal(ran.cells[0].outputs[0].output_type, 'error');
  assert.equal(ran.cells[1].outputs[0].output_type, 'display_data');
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')).cells[0].outputs, []);
});

test('a file that is not a notebook is a usage error: exit 1, one line naming it', async () => {
  const path = join(await scratch, 'broken.ipynb');
  await writeFile(path, '{"cells": "no"}');
  const result = runCli(['run', path]);
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /^scanlens: .*broken\.ipynb: not an nbformat 4 notebook: /);
  assert.equal(runCli(['run', path, '--tolerance', 'x']).status, 1);
});

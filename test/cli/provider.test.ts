import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-provider-'));
process.env['SCANLENS_CACHE_DIR'] = work;

const UNAVAILABLE = /^scanlens: execution provider 'nosuch' is not in this onnxruntime; it has: cpu(, [a-z]+)*\n$/;

test('every verb that runs a model refuses a provider this runtime lacks with the same one line, exit 1', () => {
  const runs = {
    explain: ['explain', 'samples/glioma-01.png'],
    'anomaly fit': ['anomaly', 'fit', 'samples/anomaly/normal', '--out', join(work, 'never')],
    'anomaly score': ['anomaly', 'score', 'samples/anomaly/normal/normal-01.png', '--detector', 'models/brain-mri-demo-padim'],
    'anomaly eval': ['anomaly', 'eval', 'samples/anomaly/normal', 'samples/anomaly/lesion', '--detector', 'models/brain-mri-demo-padim'],
    run: ['run', 'samples/analysis.ipynb', '--check'],
  };
  for (const [verb, args] of Object.entries(runs)) {
    const result = runCli([...args, '--provider', 'nosuch']);
    assert.equal(result.status, 1, `${verb}: ${result.stderr}`);
    assert.match(result.stderr, UNAVAILABLE, verb);
    assert.equal(result.stdout, '', verb);
  }
});

test('--provider cpu with --threads gives what the defaults give', () => {
  const plain = runCli(['explain', 'samples/glioma-01.png', '--json']);
  const chosen = runCli(['explain', 'samples/glioma-01.png', '--json', '--provider', 'cpu', '--threads', '1']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(chosen.status, 0, chosen.stderr);
  const [a, b] = [JSON.parse(plain.stdout), JSON.parse(chosen.stdout)];
  assert.equal(b.class.label, a.class.label);
  b.map.data.forEach((v: number, i: number) => assert.ok(Math.abs(v - a.map.data[i]) < 1e-4, `map value ${i}`));
  const scored = runCli(['anomaly', 'score', 'samples/anomaly/normal/normal-01.png', '--detector', 'models/brain-mri-demo-padim', '--provider', 'cpu', '--threads', '1', '--json']);
  assert.equal(scored.status, 0, scored.stderr);
  assert.equal(JSON.parse(scored.stdout).results[0].label, 'normal');
});

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-add-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));
const NORMAL = join(ROOT, 'samples', 'anomaly', 'normal');
const normal = (k: number): string => join(NORMAL, `normal-${String(k).padStart(2, '0')}.png`);

test('anomaly add on a detector without running statistics (the shipped demo), or on a model: one line, exit 1, the detector untouched', () => {
  const detector = join(work, 'old');
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), detector, { recursive: true });
  const before = readFileSync(join(detector, 'detector.json'));
  const run = runCli(['anomaly', 'add', detector, NORMAL]);
  assert.equal(run.status, 1);
  assert.equal(
    run.stderr.trim(),
    `scanlens: ${join(detector, 'detector.json')}: has no running statistics (fitted by an earlier ScanLens): its float32 mean and Cholesky factor cannot be continued exactly; refit it with anomaly fit on all its normal scans`,
  );
  assert.ok(readFileSync(join(detector, 'detector.json')).equals(before));
  const model = runCli(['anomaly', 'add', 'models/brain-mri-demo/model.onnx', NORMAL]);
  assert.equal(model.status, 1);
  assert.equal(model.stderr.trim(), 'scanlens: models/brain-mri-demo/model.onnx: is not a detector made by anomaly fit (a folder with detector.json): only those can take new scans');
});

test('anomaly add: the line says how many scans the detector has seen and the threshold set again; a threshold chosen before is said to be replaced', () => {
  const half = join(work, 'half');
  mkdirSync(half);
  for (let k = 1; k <= 10; k++) cpSync(normal(k), join(half, `normal-${k}.png`));
  const detector = join(work, 'detector');
  assert.equal(runCli(['anomaly', 'fit', half, '--out', detector, '--channels', '16']).status, 0);
  assert.equal(runCli(['anomaly', 'threshold', detector, '--normal', half, '--fpr', '0.1']).status, 0);
  const tooFew = runCli(['anomaly', 'add', detector, normal(11)]);
  assert.equal(tooFew.status, 1);
  assert.equal(tooFew.stderr.trim(), 'scanlens: need at least 5 normal scans (4 to fit, 1 to calibrate the threshold), found 1');

  const run = runCli(['anomaly', 'add', detector, ...[11, 12, 13, 14, 15].map(normal)]);
  assert.equal(run.status, 0, run.stderr);
  const manifest = JSON.parse(readFileSync(join(detector, 'detector.json'), 'utf8'));
  const [first, second] = run.stdout.trim().split('\n');
  const escaped = join(detector, 'detector.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = new RegExp(`^${escaped}: padim on 12 normal scans \\(8 \\+ 4 added\\); threshold \\d+\\.\\d{4} -> (\\d+\\.\\d{4}) = p95 of 1 held-out normals$`).exec(first!);
  assert.ok(line, first);
  assert.equal(line[1], manifest.threshold.value.toFixed(4));
  assert.equal(second, 'the threshold anomaly threshold chose (fpr) was replaced: choose it again on held-out scans');
  assert.deepEqual(manifest.training, { images: 12, failed: 0, added: 4 });
  assert.equal(manifest.threshold.chosen, undefined);
});

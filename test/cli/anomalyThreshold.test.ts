import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-threshold-'));
process.env['SCANLENS_CACHE_DIR'] = work;
const NORMAL = 'samples/anomaly/normal';
const LESION = 'samples/anomaly/lesion';

function detectorCopy(name: string): string {
  const folder = join(work, name);
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), folder, { recursive: true });
  return folder;
}

interface Threshold {
  value: number;
  chosen?: { rule: string; fpr?: number; normal: number; anomalous: number; falsePositiveRate: number; recall?: number; f1?: number };
}

function json<T>(args: string[]): T {
  const run = runCli(args);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as T;
}

test('anomaly threshold --fpr: the lowest threshold flagging at most that share of the normals, stored with how it was chosen, used by anomaly score', () => {
  const detector = detectorCopy('fpr');
  const scores = json<{ results: { score: number }[] }>(['anomaly', 'score', NORMAL, '--detector', detector, '--json']).results.map((r) => r.score);
  const chosen = json<{ previous: number; threshold: Threshold }>(['anomaly', 'threshold', detector, '--normal', NORMAL, '--fpr', '0.1', '--json']);
  const sorted = [...scores].sort((a, b) => b - a);
  // 20 normals, 10 %: two may be flagged, so the threshold sits just above the third highest score.
  const { value } = chosen.threshold;
  assert.ok(value > sorted[2]! && value <= sorted[1]!, `${value} between ${sorted[2]} and ${sorted[1]}`);
  assert.equal(scores.filter((s) => s >= value).length, 2);
  assert.deepEqual(chosen.threshold.chosen, { rule: 'fpr', fpr: 0.1, normal: 20, anomalous: 0, falsePositiveRate: 0.1 });
  const saved = JSON.parse(readFileSync(join(detector, 'detector.json'), 'utf8')) as { threshold: Threshold };
  assert.deepEqual(saved.threshold, chosen.threshold);
  const rescored = json<{ results: { threshold: number; label: string; score: number }[] }>(['anomaly', 'score', NORMAL, '--detector', detector, '--json']).results;
  assert.ok(rescored.every((r) => r.threshold === value));
  assert.equal(rescored.filter((r) => r.label !== 'normal').length, 2);
});

test('anomaly threshold --f1 stores the threshold anomaly eval reports as best F1, on the same scans', () => {
  const detector = detectorCopy('f1');
  const evaluation = json<{ metrics: { bestF1: { threshold: number; f1: number } } }>(['anomaly', 'eval', NORMAL, LESION, '--detector', detector, '--json']);
  const chosen = json<{ threshold: Threshold }>(['anomaly', 'threshold', detector, '--normal', NORMAL, '--anomalous', LESION, '--f1', '--json']);
  assert.equal(chosen.threshold.value, evaluation.metrics.bestF1.threshold);
  assert.equal(chosen.threshold.chosen?.f1, evaluation.metrics.bestF1.f1);
});

test('anomaly threshold without a rule, or --f1 without anomalous scans: one line, exit 1, the detector untouched', () => {
  const detector = detectorCopy('untouched');
  const before = readFileSync(join(detector, 'detector.json'));
  const noRule = runCli(['anomaly', 'threshold', detector, '--normal', NORMAL]);
  assert.equal(noRule.status, 1);
  assert.match(noRule.stderr.trim(), /^scanlens: anomaly threshold needs one rule: --fpr F .* or --f1 \(with --anomalous DIR\)$/);
  const f1Alone = runCli(['anomaly', 'threshold', detector, '--normal', NORMAL, '--f1']);
  assert.equal(f1Alone.status, 1);
  assert.equal(f1Alone.stderr.trim(), 'scanlens: --f1 needs anomalous scans (--anomalous DIR) to weigh misses against false alarms');
  assert.ok(readFileSync(join(detector, 'detector.json')).equals(before));
});

test('anomaly threshold on a model file rather than a detector folder: one line saying what it takes, exit 1', () => {
  const model = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
  const run = runCli(['anomaly', 'threshold', model, '--normal', NORMAL, '--fpr', '0.05']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /is not a detector made by anomaly fit \(a folder with detector\.json\): only its threshold can be chosen again/);
});

import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OUT_OF_DISTRIBUTION } from '../../src/core/anomaly/oodGuard';
import { createImage } from '../../src/core/image';
import { encodePng } from '../../src/core/render/png';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/** Deterministic white noise in [0,1) (the classic shader hash), so the test image is the same on every run. */
const noise = (x: number, y: number): number => (((Math.sin(x * 12.9898 + y * 78.233) * 43758.5453) % 1) + 1) % 1;

// Derived models go to a fresh folder, never the user's cache; runCli's children inherit it.
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
const model = join(work, 'guarded', 'model.json');
const sample = join(ROOT, 'samples', 'glioma-01.png');
const noisePng = join(work, 'noise.png');

after(() => rmSync(work, { recursive: true, force: true }));

/**
 * A detector fitted on every demo sample (all classes: they are all the
 * classifier's training distribution), named by a copy of the demo manifest.
 * The shipped demo detector is not used: it is fitted on normal slices only.
 */
before(async () => {
  const samples = join(work, 'samples');
  mkdirSync(samples);
  for (const f of readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.png'))) copyFileSync(join(ROOT, 'samples', f), join(samples, f));
  const fit = runCli(['anomaly', 'fit', samples, '--out', join(work, 'guarded', 'detector'), '--backbone', 'models/brain-mri-demo', '--channels', '8', '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  cpSync(join(ROOT, 'models', 'brain-mri-demo'), join(work, 'guarded'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(model, JSON.stringify({ ...manifest, anomaly: { detector: 'detector' } }));
  // Pixel noise: nothing like a brain slice (it scores several times the threshold).
  const image = createImage(128, 128);
  for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) image.data[y * 128 + x] = noise(x, y);
  writeFileSync(noisePng, await encodePng(image));
});

interface Row {
  file: string;
  top?: { label: string };
  anomalyScore?: number;
  anomalyThreshold?: number;
  flag?: string;
  error?: string;
}

test('classify with a guarded model: every row has the anomaly score; the noise is flagged, the sample is not', () => {
  const csv = join(work, 'out.csv');
  const result = runCli(['classify', sample, noisePng, '--model', model, '--json', '--csv', csv]);
  assert.equal(result.status, 0, result.stderr);
  const [brain, odd] = JSON.parse(result.stdout).results as Row[];
  assert.ok(brain!.top && odd!.top, 'both still classified');
  assert.ok(brain!.anomalyScore! < brain!.anomalyThreshold!, `sample scored ${brain!.anomalyScore} ≥ ${brain!.anomalyThreshold}`);
  assert.equal(brain!.flag, undefined);
  assert.ok(odd!.anomalyScore! >= odd!.anomalyThreshold!);
  assert.equal(odd!.flag, OUT_OF_DISTRIBUTION);
  const [header, brainLine, oddLine] = readFileSync(csv, 'utf8').split('\n');
  assert.match(header!, /,error,anomaly_score,anomaly_threshold,flag,kind,axis,slices,top_slice,peak_slices,check$/);
  assert.match(brainLine!, new RegExp(`,${brain!.anomalyScore},${brain!.anomalyThreshold},,image,,,,,[0-9a-f]{8}$`));
  assert.match(oddLine!, new RegExp(`,${odd!.anomalyScore},${odd!.anomalyThreshold},${OUT_OF_DISTRIBUTION},image,,,,,[0-9a-f]{8}$`));
});

test('classify text output ends each row with the verdict: the warning on the flagged row, the passed check on the other', () => {
  const jsonl = join(work, 'text.jsonl');
  const result = runCli(['classify', sample, noisePng, '--model', model, '--jsonl', jsonl]);
  assert.equal(result.status, 0, result.stderr);
  const [brain, odd] = readFileSync(jsonl, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
  const [brainLine, oddLine] = result.stdout.trim().split('\n');
  const two = (n: number): string => n.toFixed(2);
  // The probabilities stay where they were; the verdict follows them, with the numbers the JSON rows carry.
  assert.match(brainLine!, /glioma-01\.png {2}glioma \d\.\d{3} {2}\w+ \d\.\d{3} {2}\w+ \d\.\d{3} {2}/);
  assert.ok(brainLine!.endsWith(`  Out-of-distribution check passed (anomaly score ${two(brain!.anomalyScore!)} < threshold ${two(brain!.anomalyThreshold!)})`), brainLine);
  assert.ok(oddLine!.endsWith(`  ⚠ Out of distribution (anomaly score ${two(odd!.anomalyScore!)} ≥ threshold ${two(odd!.anomalyThreshold!)}): probabilities should not be trusted`), oddLine);
  assert.equal(odd!.flag, OUT_OF_DISTRIBUTION, 'JSON Lines keep the flag value');
});

test('classify without a detector: no anomaly fields, no anomaly CSV columns', () => {
  const csv = join(work, 'plain.csv');
  const result = runCli(['classify', sample, '--json', '--csv', csv]);
  assert.equal(result.status, 0, result.stderr);
  const [row] = JSON.parse(result.stdout).results as Row[];
  assert.equal(row!.anomalyScore, undefined);
  assert.match(readFileSync(csv, 'utf8').split('\n')[0]!, /,error,kind,axis,slices,top_slice,peak_slices,check$/);
  const text = runCli(['classify', sample]);
  assert.match(text.stdout, /^.*glioma-01\.png {2}glioma \d\.\d{3} {2}\w+ \d\.\d{3} {2}\w+ \d\.\d{3}\n$/, 'no verdict without a guard');
});

test('a manifest naming a missing detector: one line, exit 1', () => {
  const broken = join(work, 'guarded', 'missing.json');
  writeFileSync(broken, readFileSync(model, 'utf8').replace('"detector"}', '"nowhere"}'));
  const result = runCli(['classify', sample, '--model', broken, '--json']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^scanlens: .*nowhere: detector not found\n$/);
  assert.equal(result.stdout, '');
});

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/**
 * The bundled 3D demo (scripts/train_3d_demo_model.py): its sample volumes,
 * stored LPS at 2 mm, through `scanlens classify` and `explain` as a user runs
 * them, against PyTorch's logits on the same volumes recorded when it was trained.
 */
const MODEL = join(ROOT, 'models', 'brain-mri-3d-demo');
const SAMPLES = join(ROOT, 'samples', 'volumes');
const reference = JSON.parse(readFileSync(join(MODEL, 'reference.json'), 'utf8')) as {
  samples: Record<string, { label: string; centre_mm: [number, number, number]; radius_mm: number; logits: number[] }>;
};
const manifest = JSON.parse(readFileSync(join(MODEL, 'model.json'), 'utf8')) as { labels: string[] };

const softmax = (logits: readonly number[]): number[] => {
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};

test('the 3D demo model is small and every sample volume it ships has a PyTorch reference', () => {
  assert.ok(statSync(join(MODEL, 'model.onnx')).size < 5 * 1024 * 1024, 'model under 5 MB');
  assert.deepEqual(readdirSync(SAMPLES).sort(), Object.keys(reference.samples).sort());
});

test("scanlens classify on the sample volumes: PyTorch's probabilities within 1e-4, one row per volume", () => {
  const names = Object.keys(reference.samples).sort();
  const result = runCli(['classify', '--model', MODEL, '--json', ...names.map((n) => join('samples', 'volumes', n))]);
  assert.equal(result.status, 0, result.stderr);
  const rows = (JSON.parse(result.stdout) as { results: { kind: string; file: string; probabilities: number[]; top: { label: string } }[] }).results;
  assert.equal(rows.length, names.length);
  rows.forEach((row, i) => {
    const expected = softmax(reference.samples[names[i]!]!.logits);
    assert.equal(row.kind, 'volume');
    row.probabilities.forEach((p, c) => assert.ok(Math.abs(p - expected[c]!) <= 1e-4, `${names[i]} ${manifest.labels[c]}: ${p} vs PyTorch ${expected[c]}`));
    assert.equal(row.top.label, manifest.labels[expected.indexOf(Math.max(...expected))]);
  });
});

test('scanlens explain on a sample volume: the Grad-CAM peak is placed in the scan and in world mm', () => {
  const [name, drawn] = Object.entries(reference.samples)[0]!;
  const result = runCli(['explain', join('samples', 'volumes', name), '--model', MODEL, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { peak: { voxel: number[] | null; world: number[] | null } };
  assert.ok(json.peak.voxel && json.peak.world, 'the peak lies in the scan, with its world position');
  const distance = Math.hypot(...json.peak.world.map((v, i) => v - drawn.centre_mm[i]!));
  console.log(`[scanlens] 3D demo, ${name}: Grad-CAM peak ${distance.toFixed(1)} mm from the ${drawn.label}'s centre (radius ${drawn.radius_mm} mm)`);
});

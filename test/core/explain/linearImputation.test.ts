import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputSpec } from '../../../src/core/model/manifest';
import { noisyLinearImputation } from '../../../src/core/explain/scorecard/linearImputation';

const W = 48;
const rgb = { size: { width: W, height: W }, channels: 3, layout: 'NCHW' } as InputSpec;

test('linear imputation restores a linear ramp exactly inside a removed region', () => {
  const ramp = new Float32Array(3 * W * W);
  for (let c = 0; c < 3; c++) for (let i = 0; i < W * W; i++) ramp[c * W * W + i] = 0.01 * (i % W) + 0.02 * Math.floor(i / W) + c;
  const removed: number[] = [];
  for (let y = 8; y < 30; y++) for (let x = 10; x < 40; x++) removed.push(y * W + x);
  const holed = ramp.map((v, i) => (removed.includes(i % (W * W)) ? 0 : v));
  const restored = noisyLinearImputation(holed, rgb, removed, 0, 1);
  assert.ok(
    restored.every((v, i) => Math.abs(v - ramp[i]!) < 1e-5),
    'a ramp is its own neighbour-weighted mean',
  );
});

test('a grey scan fed as RGB (each channel its own mean and std) is imputed as if each channel were solved on its own', () => {
  const grey = Float32Array.from({ length: W * W }, (_, i) => Math.sin(i / 30) + Math.cos((i % W) / 7));
  const normalised = new Float32Array(3 * W * W);
  [
    [0.485, 0.229],
    [0.456, 0.224],
    [0.406, 0.225],
  ].forEach(([mean, std], c) => grey.forEach((v, i) => (normalised[c * W * W + i] = (v - mean!) / std!)));
  const removed = Array.from({ length: 900 }, (_, k) => (k * 37) % (W * W));
  const shared = noisyLinearImputation(normalised, rgb, removed, 0.01, 1);
  // One channel-0 pixel nudged: no channel is an affine map of channel 0 any more, so each is solved.
  const nudged = Float32Array.from(normalised);
  nudged[1] = nudged[1]! + 1e-3;
  const separate = noisyLinearImputation(nudged, rgb, removed, 0.01, 1);
  let worst = 0;
  for (let i = W * W; i < 3 * W * W; i++) worst = Math.max(worst, Math.abs(shared[i]! - separate[i]!));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
});

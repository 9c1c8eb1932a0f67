import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../src/core/explain/seededRandom';
import { softmaxObjective } from '../../../src/core/train/softmaxObjective';

/** The objective written out row by row: Σ w_i·(log Σ_c exp(z_i·W_c + b_c) − (z_i·W_y + b_y)) + ‖W‖²/(2C). */
function direct(x: Float64Array, z: Float64Array, d: number, labels: Int32Array, weights: Float64Array, classes: number, penalty: number): number {
  let loss = 0;
  labels.forEach((label, i) => {
    const logits = Array.from({ length: classes }, (_, c) => {
      let v = x[classes * d + c]!;
      for (let j = 0; j < d; j++) v += x[c * d + j]! * z[i * d + j]!;
      return v;
    });
    loss += weights[i]! * (Math.log(logits.reduce((s, v) => s + Math.exp(v), 0)) - logits[label]!);
  });
  for (let k = 0; k < classes * d; k++) loss += 0.5 * penalty * x[k]! ** 2;
  return loss;
}

test('the softmax objective onnxruntime evaluates equals the loss written out row by row, and its gradient central finite differences', async () => {
  for (const [n, d, classes] of [
    [7, 5, 3],
    [10, 3, 5],
    [4, 6, 4],
  ] as const) {
    const next = random(n * 100 + classes);
    const z = Float64Array.from({ length: n * d }, () => 2 * next() - 1);
    const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
    const weights = Float64Array.from({ length: n }, () => 0.5 + next());
    const x = Float64Array.from({ length: classes * (d + 1) }, () => next() - 0.5);
    const f = await softmaxObjective(z, d, labels, weights, classes, 0.7);
    const gradient = new Float64Array(x.length);
    const value = await f(x, gradient);
    const expected = direct(x, z, d, labels, weights, classes, 0.7);
    assert.ok(Math.abs(value - expected) <= 1e-12 * Math.abs(expected), `${n}x${d}x${classes}: ${value} vs ${expected}`);
    const h = 1e-6;
    x.forEach((_, k) => {
      const up = Float64Array.from(x);
      const down = Float64Array.from(x);
      up[k]! += h;
      down[k]! -= h;
      const fd = (direct(up, z, d, labels, weights, classes, 0.7) - direct(down, z, d, labels, weights, classes, 0.7)) / (2 * h);
      assert.ok(Math.abs(gradient[k]! - fd) <= 1e-7 + 1e-6 * Math.abs(fd), `${n}x${d}x${classes}: gradient ${k} ${gradient[k]} vs ${fd}`);
    });
    assert.equal(await f(x, new Float64Array(x.length)), value, 'a second evaluation gives the same value');
  }
});

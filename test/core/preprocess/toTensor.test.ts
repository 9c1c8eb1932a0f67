import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toChannels } from '../../../src/core/preprocess/colour';
import { toTensorData } from '../../../src/core/preprocess/toTensor';
import type { Image2D } from '../../../src/core/image';

const grey: Image2D = { width: 5, height: 3, channels: 1, data: Float32Array.from({ length: 15 }, (_, i) => i / 14) };

/** The definition, one value at a time: (x − mean[c]) / std[c] at the layout's index. */
function reference(image: Image2D, layout: 'NCHW' | 'NHWC', mean: number[], std: number[]): number[] {
  const plane = image.width * image.height;
  const out = new Array<number>(plane * image.channels);
  for (let c = 0; c < image.channels; c++) {
    for (let i = 0; i < plane; i++) out[layout === 'NCHW' ? c * plane + i : i * image.channels + c] = Math.fround((image.data[i * image.channels + c]! - mean[c]!) / std[c]!);
  }
  return out;
}

test('a grey image fills every channel of an RGB tensor exactly as its RGB copy would, in both layouts', () => {
  const rgb = toChannels(grey, 3);
  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const [mean, std] of [
      [
        [0.485, 0.456, 0.406],
        [0.229, 0.224, 0.225],
      ],
      [
        [0.5, 0.5, 0.5],
        [0.25, 0.25, 0.25],
      ],
    ]) {
      const want = reference(rgb, layout, mean!, std!);
      assert.deepEqual(Array.from(toTensorData(grey, { layout, mean, std }, 3)), want);
      assert.deepEqual(Array.from(toTensorData(rgb, { layout, mean, std })), want);
    }
  }
});

test('one mean and std apply to every channel; none leaves values as they are', () => {
  const rgb = toChannels(grey, 3);
  assert.deepEqual(Array.from(toTensorData(grey, { layout: 'NCHW', mean: [0.5], std: [2] }, 3)), reference(rgb, 'NCHW', [0.5, 0.5, 0.5], [2, 2, 2]));
  assert.deepEqual(Array.from(toTensorData(grey, { layout: 'NCHW' }, 3)), reference(rgb, 'NCHW', [0, 0, 0], [1, 1, 1]));
});

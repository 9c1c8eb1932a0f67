import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampSlice, dragWindow, windowToRgba } from '../../src/webview/pixels';

test('a window maps center ± width/2 to black…white and clamps outside', () => {
  const out = new Uint8ClampedArray(4 * 5);
  windowToRgba(Float32Array.from([-200, 0, 40, 80, 500]), 1, { center: 40, width: 80 }, out);
  const grey = [0, 1, 2, 3, 4].map((i) => out[i * 4]!);
  assert.deepEqual(grey, [0, 0, 128, 255, 255]);
  assert.deepEqual([out[9], out[10], out[11]], [128, 128, 255], 'grey in every channel, opaque');
});

test('RGB slices keep their colour through the window', () => {
  const out = new Uint8ClampedArray(4);
  windowToRgba(Float32Array.from([255, 0, 127.5]), 3, { center: 127.5, width: 255 }, out);
  assert.deepEqual([...out], [255, 0, 128, 255]);
});

test('dragging right widens the window, dragging down lowers the level, never to zero width', () => {
  const start = { center: 100, width: 256 };
  assert.deepEqual(dragWindow(start, 10, 0), { center: 100, width: 266 });
  assert.deepEqual(dragWindow(start, 0, 20), { center: 80, width: 256 });
  assert.ok(dragWindow(start, -10_000, 0).width > 0);
});

test('slice keys stop at the ends of the volume', () => {
  assert.equal(clampSlice(0, -1, 256), 0);
  assert.equal(clampSlice(250, 10, 256), 255);
  assert.equal(clampSlice(128, -10, 256), 118);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLORMAPS, blendHeat } from '../../src/core/render/colormaps';
import { heatColours } from '../../src/core/render/heatColours';
import { clampSlice, dragWindow, heatRgba, windowToRgba } from '../../src/webview/pixels';

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

/** Heat as the host sends it: every value the 1024-step colour table falls between, its kinks, both ends, and NaN (not seen). */
function heatSamples(): Float32Array {
  const values = [0, 1, NaN, 0.5, 0.125, 0.375, 0.625, 0.875, 1 / 3, 2 / 3];
  let seed = 7;
  for (let i = 0; i < 20_000; i++) values.push((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i <= 4096; i++) values.push(i / 4096);
  return Float32Array.from(values);
}

test("the page colours heat with heatColours' colours, byte for byte as the host's PNG carried them, transparent where not seen", () => {
  const heat = heatSamples();
  const n = heat.length;
  for (const colormap of COLORMAPS) {
    const host = heatColours(colormap, { width: n, height: 1, channels: 1, data: heat });
    assert.equal(host.channels, 4, 'NaN makes the host image RGBA');
    // encodePng's bytes: each value × 255 into a clamped byte array.
    const png = new Uint8ClampedArray(host.data.length);
    for (let i = 0; i < png.length; i++) png[i] = host.data[i]! * 255;
    const page = new Uint8ClampedArray(n * 4);
    heatRgba(colormap, heat, page);
    assert.deepEqual(page, png, colormap);
  }
});

test("blended at an opacity, the page's colours land within one 8-bit level of blendHeat's (Export Report's picture)", () => {
  const heat = heatSamples();
  const n = heat.length;
  const base = Float32Array.from({ length: n }, (_, i) => ((i * 37) % 256) / 255);
  for (const colormap of COLORMAPS) {
    for (const alpha of [0.4, 0.75]) {
      const exported = new Uint8ClampedArray(n * 3);
      blendHeat(colormap, { width: n, height: 1, channels: 1, data: base }, heat, { lo: 0, hi: 1 }, alpha, exported, 255);
      const page = new Uint8ClampedArray(n * 4);
      heatRgba(colormap, heat, page);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const a = (page[i * 4 + 3]! / 255) * alpha;
        for (let c = 0; c < 3; c++) {
          // Source-over of the 8-bit overlay on the 8-bit slice, as the canvas composites it.
          const shown = Math.round((1 - a) * Math.round(base[i]! * 255) + a * page[i * 4 + c]!);
          worst = Math.max(worst, Math.abs(shown - exported[i * 3 + c]!));
        }
      }
      assert.ok(worst <= 1, `${colormap} at ${alpha}: off by ${worst} levels`);
    }
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AUPRO_FPR_LIMIT, PixelMetricsAccumulator, labelRegions } from '../../../src/core/anomaly/pixelMetrics';
import { fixture } from '../../helpers/paths';

interface PixelCase {
  name: string;
  width: number;
  height: number;
  maps: number[][];
  masks: number[][];
  regions: number;
  pixelAuroc: number;
  aupro: number;
}

/** From scripts/reference/pixel_metrics_reference.py (numpy, scipy.ndimage.label, sklearn roc_auc_score). */
const reference = JSON.parse(readFileSync(fixture('anomaly', 'pixel-metrics.json'), 'utf8')) as { fprLimit: number; cases: PixelCase[] };

for (const c of reference.cases) {
  test(`pixel AUROC and AUPRO equal the numpy reference: ${c.name}`, () => {
    const pixels = new PixelMetricsAccumulator();
    c.maps.forEach((map, i) => pixels.add(Float32Array.from(map), Uint8Array.from(c.masks[i]!), c.width, c.height));
    const result = pixels.result();
    assert.equal(result.fprLimit, reference.fprLimit);
    assert.equal(result.regions, c.regions);
    assert.equal(result.images, c.maps.length);
    assert.ok(Math.abs(result.auroc! - c.pixelAuroc) <= 1e-6, `pixel AUROC ${result.auroc} vs ${c.pixelAuroc}`);
    assert.ok(Math.abs(result.aupro! - c.aupro) <= 1e-4, `AUPRO ${result.aupro} vs ${c.aupro}`);
    console.log(`${c.name}: pixel AUROC off by ${Math.abs(result.auroc! - c.pixelAuroc)}, AUPRO off by ${Math.abs(result.aupro! - c.aupro)}`);
  });
}

test('regions are 8-connected: pixels touching at a corner are one region, a gap of one pixel makes two', () => {
  const mask = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1];
  assert.deepEqual(Array.from(labelRegions(mask, 4, 3).labels), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2]);
  assert.equal(labelRegions(mask, 4, 3).count, 2);
});

test('a perfect map scores 1 on both; unseen (NaN) pixels are left out; no lesion pixels means no metric', () => {
  const pixels = new PixelMetricsAccumulator();
  pixels.add(Float32Array.from([0, 0.1, 0.9, NaN]), Uint8Array.from([0, 0, 1, 1]), 2, 2);
  const result = pixels.result();
  assert.deepEqual(result, { images: 1, pixels: 3, anomalousPixels: 1, regions: 1, auroc: 1, aupro: 1, fprLimit: AUPRO_FPR_LIMIT });
  const normalOnly = new PixelMetricsAccumulator();
  normalOnly.add(Float32Array.from([0.2, 0.4]), Uint8Array.from([0, 0]), 2, 1);
  assert.equal(normalOnly.result().auroc, null);
  assert.equal(normalOnly.result().aupro, null);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Intensity } from '../../../src/core/model/manifest';
import { toUnitRange, unitSlice } from '../../../src/core/preprocess/intensity';
import { sliceImage, type Scan } from '../../../src/core/scan/scan';

/** A 3-slice scan of `voxels` with a rescale, as DICOM gives them. */
function scan(voxels: Scan['voxels'], channels: 1 | 3, rescale?: Scan['rescale']): Scan {
  const plane = voxels.length / 3 / channels;
  return {
    path: 'synthetic',
    format: 'dicom',
    shape: [3, plane / 4, 4],
    channels,
    voxels,
    bitsPerSample: voxels.BYTES_PER_ELEMENT * 8,
    valueRange: { min: -1024, max: 3071 },
    spacing: undefined,
    window: { center: 40, width: 400 },
    ...(rescale ? { rescale } : {}),
    metadata: {},
  };
}

test('a slice mapped to [0,1] straight from its stored values is, to the bit, the float slice mapped after', () => {
  const modes: Intensity[] = [{ mode: 'range' }, { mode: 'window' }, { mode: 'window', center: 300, width: 1500 }, { mode: 'minmax' }, { mode: 'percentile', low: 1, high: 99 }];
  const values = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
  const scans = [
    scan(Uint8Array.from(values(3 * 32, (i) => (i * 37) % 256)), 1),
    scan(Int16Array.from(values(3 * 32, (i) => ((i * 7919) % 5000) - 1500)), 1, { slope: 0.7, intercept: -1024.25 }),
    scan(Uint16Array.from(values(3 * 32 * 3, (i) => (i * 104729) % 65536)), 3),
    scan(Float32Array.from(values(3 * 32, (i) => Math.sin(i) * 1e3)), 1, { slope: 1.5, intercept: 3 }),
  ];
  for (const s of scans) {
    for (const intensity of modes) {
      for (const z of [0, 2]) {
        const how = `${s.voxels.constructor.name}, ${JSON.stringify(intensity)}, slice ${z}`;
        const fused = unitSlice(s, z, intensity);
        const reference = toUnitRange(sliceImage(s, z), s, intensity);
        assert.deepEqual([fused.width, fused.height, fused.channels], [reference.width, reference.height, reference.channels], how);
        assert.deepEqual([...fused.data], [...reference.data], how);
      }
    }
  }
  assert.throws(() => unitSlice(scans[0]!, 3, { mode: 'range' }), /slice 3 is outside 0\.\.2/);
});

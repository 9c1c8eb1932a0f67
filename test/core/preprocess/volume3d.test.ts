import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InputSpec } from '../../../src/core/model/manifest';
import { cropOrPad, prepareChannel, reorientToRas, resampleVolume, volumeIntensity } from '../../../src/core/preprocess/volume3d';
import { prepareVolumeDirect } from '../../../src/core/preprocess/volume3dDirect';
import { loadScan } from '../../../src/core/scan/loadScan';
import type { Scan } from '../../../src/core/scan/scan';
import { ROOT } from '../../helpers/paths';

/** A 9×7×5 volume stored in a non-RAS, slightly oblique orientation, with nibabel's and scipy's results for it (scripts/reference/make_3d_reference.py). */
interface Small {
  shape: [number, number, number];
  voxels: number[];
  affine: number[][];
  ras: { shape: [number, number, number]; spacing: [number, number, number]; data: number[] };
  resampled: Record<string, { spacing: [number, number, number]; shape: [number, number, number]; data: number[] }>;
  zscore: number[];
  cropOrPad: { size: [number, number, number]; data: number[] };
}
const small = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'volume3d', 'small.json'), 'utf8')) as Small;
const [nx, ny, nz] = small.shape;
const scan: Scan = {
  path: 'small.nii',
  format: 'nifti',
  shape: [nz, ny, nx],
  channels: 1,
  voxels: Float64Array.from(small.voxels),
  bitsPerSample: 64,
  valueRange: { min: -100, max: 1000 },
  spacing: undefined,
  window: { center: 450, width: 1100 },
  affine: small.affine,
  metadata: {},
};

function close(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= tolerance, `${what}: largest difference ${worst} over ${tolerance}`);
}

test('reorientation to RAS equals nibabel as_closest_canonical: the axes permuted and flipped, spacing from the affine', () => {
  const ras = reorientToRas(scan);
  assert.deepEqual(ras.dims, small.ras.shape);
  close(ras.spacing, small.ras.spacing, 1e-9, 'spacing');
  close(ras.data, small.ras.data, 0, 'voxels');
});

test('trilinear resampling to a coarser and a finer spacing equals scipy.ndimage.map_coordinates (order 1, border repeated)', () => {
  const ras = reorientToRas(scan);
  for (const [name, expected] of Object.entries(small.resampled)) {
    const out = resampleVolume(ras, expected.spacing);
    assert.deepEqual(out.dims, expected.shape, name);
    // float32 rounding of values up to 1000
    close(out.data, expected.data, 1e-4, name);
  }
});

test('z-score over the volume and centred crop or pad equal numpy', () => {
  const ras = reorientToRas(scan);
  const z = Float32Array.from(ras.data);
  volumeIntensity(z, scan, { intensity: { mode: 'zscore' } });
  close(z, small.zscore, 1e-5, 'zscore');
  close(cropOrPad(ras, small.cropOrPad.size), small.cropOrPad.data, 0, 'crop/pad');
});

test('intensity to [0,1] by window clips, and mean/std follow it', () => {
  const data = Float32Array.of(-100, 450, 1200);
  volumeIntensity(data, scan, { intensity: { mode: 'window', center: 450, width: 1000 }, mean: [0.5], std: [0.5] });
  close(data, [-1, 0, 1], 1e-6, 'window');
});

test('a NaN voxel is refused by name, on the RAS grid, rather than reaching the model', () => {
  const voxels = Float64Array.from(small.voxels);
  voxels[0] = NaN;
  assert.throws(() => reorientToRas({ ...scan, voxels }), /small\.nii: voxel \(\d+, \d+, \d+\) of the volume reoriented to RAS is NaN: a 3D model cannot take it$/);
});

test('one pass from the stored voxels gives the step-by-step pipeline float32 values, in every intensity mode, cropped and padded, whatever the voxel type and rescale', () => {
  const modes: InputSpec['intensity'][] = [{ mode: 'range' }, { mode: 'minmax' }, { mode: 'percentile', low: 2, high: 98 }, { mode: 'window', center: 300, width: 500 }, { mode: 'zscore' }];
  const bytes = Uint8Array.from(small.voxels, (v) => Math.round((v + 100) / 5));
  const scans: [string, Scan][] = [
    ['float64 voxels', scan],
    ['uint8 voxels, negative slope', { ...scan, voxels: bytes, bitsPerSample: 8, rescale: { slope: -2.5, intercept: 40 } }],
    ['uint8 voxels, no affine', { ...scan, voxels: bytes, bitsPerSample: 8, affine: undefined }],
    ['float32 voxels', { ...scan, voxels: Float32Array.from(small.voxels, (v) => v / 3), bitsPerSample: 32 }],
    ['int16 voxels, a rescale float32 cannot hold exactly', { ...scan, voxels: Int16Array.from(small.voxels), bitsPerSample: 16, rescale: { slope: 0.1, intercept: 0.3 } }],
  ];
  for (const [what, volume] of scans) {
    for (const intensity of modes) {
      // Cropped on one axis and padded on the others, and the reverse.
      for (const size of [
        [4, 12, 3],
        [11, 5, 8],
      ] as [number, number, number][]) {
        const input = { intensity, mean: [0.2], std: [0.7] };
        const [direct, stepwise] = [new Float32Array(size[0] * size[1] * size[2]), new Float32Array(size[0] * size[1] * size[2])];
        assert.equal(prepareVolumeDirect(volume, input, size, direct), true, `${what} ${intensity.mode}`);
        prepareChannel(volume, input, size, stepwise);
        // Sums over the volume in another order (zscore's mean) may differ in the last bit.
        close(direct, [...stepwise], intensity.mode === 'zscore' ? 1e-6 : 0, `${what}, ${intensity.mode}, ${size.join('×')}`);
      }
    }
  }
});

test('a volume needing resampling, or holding a NaN, is left to the step-by-step pipeline (which names the voxel)', () => {
  const out = new Float32Array(64);
  const nan = Float64Array.from(small.voxels);
  nan[3] = NaN;
  assert.equal(prepareVolumeDirect(scan, { intensity: { mode: 'range' }, spacing: [2, 2, 2] }, [4, 4, 4], out), false);
  assert.equal(prepareVolumeDirect({ ...scan, voxels: nan }, { intensity: { mode: 'range' } }, [4, 4, 4], out), false);
  assert.ok(out.every((v) => v === 0));
});

const NIBABEL = '/usr/lib/python3/dist-packages/nibabel/tests/data';

test("on nibabel's own volumes the one-pass path writes what the step-by-step pipeline writes, bit for bit", { skip: !existsSync(NIBABEL) && 'python3-nibabel is not installed' }, async () => {
  const files = readdirSync(NIBABEL).filter((f) => /\.nii(\.gz)?$/.test(f));
  let compared = 0;
  for (const file of files) {
    const volume = await loadScan(join(NIBABEL, file)).catch(() => undefined);
    if (!volume || volume.shape[0] < 2 || volume.channels !== 1) continue;
    for (const intensity of [{ mode: 'range' }, { mode: 'percentile', low: 1, high: 99 }] as InputSpec['intensity'][]) {
      const size: [number, number, number] = [40, 48, 36];
      const [direct, stepwise] = [new Float32Array(40 * 48 * 36), new Float32Array(40 * 48 * 36)];
      const input = { intensity, mean: [0.1], std: [0.9] };
      const steps = (() => {
        try {
          prepareChannel(volume, input, size, stepwise);
          return true;
        } catch {
          return false;
        }
      })();
      // A volume the pipeline refuses (a NaN voxel) is never taken by the one-pass path.
      assert.equal(prepareVolumeDirect(volume, input, size, direct), steps, file);
      if (steps) close(direct, [...stepwise], 0, `${file} ${intensity.mode}`);
      compared++;
    }
  }
  assert.ok(compared >= 10, `${compared} comparisons`);
});

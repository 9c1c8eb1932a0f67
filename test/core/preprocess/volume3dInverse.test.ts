import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { InputSpec } from '../../../src/core/model/manifest';
import { cropOrPad, reorientToRas, resampleVolume } from '../../../src/core/preprocess/volume3d';
import { volumeGeometry } from '../../../src/core/preprocess/volume3dGeometry';
import { mapToScanGrid } from '../../../src/core/preprocess/volume3dInverse';
import { loadScan } from '../../../src/core/scan/loadScan';
import type { Scan } from '../../../src/core/scan/scan';
import { fixture } from '../../helpers/paths';

// The oblique, non-RAS, anisotropic volume (30×26×18 at 1.5/2.0/1.2 mm) and its model: resampled to 1.5 mm, one axis padded, two cropped.
const VOLUME = fixture('volume3d', 'volume.nii.gz');
const input = (JSON.parse(readFileSync(fixture('volume3d', 'model.json'), 'utf8')) as { input: InputSpec }).input;

/** The preprocessing's geometry alone: reorient, resample, crop or pad (no intensity), as prepareVolume does them. */
function tensorOf(scan: Scan): Float32Array {
  const resampled = resampleVolume(reorientToRas(scan), input.spacing!);
  return cropOrPad(resampled, [input.size.depth!, input.size.height, input.size.width]);
}

test('a volume taken to the tensor and mapped back is itself wherever the tensor saw it (values linear in x, y, z: trilinear both ways is exact)', async () => {
  const scan = await loadScan(VOLUME);
  const [nz, ny, nx] = scan.shape;
  const linear = new Float64Array(nx * ny * nz);
  for (let z = 0, at = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++, at++) linear[at] = 3 * x - 5 * y + 7 * z + 100;
  const withLinear: Scan = { ...scan, voxels: linear, rescale: undefined };
  const geometry = volumeGeometry(withLinear, input);
  const back = mapToScanGrid({ depth: input.size.depth!, height: input.size.height, width: input.size.width, data: tensorOf(withLinear) }, geometry, NaN);
  // Interior along an axis: both tensor voxels blended lie on source positions inside the scan (no border repeat) and inside the tensor.
  const interior = geometry.axes.map((axis, a) => {
    const n = geometry.scan[axis.voxel]!;
    return Array.from({ length: n }, (_, i) => {
      const c = axis.start + axis.step * i;
      const lo = Math.floor(c);
      const source = (t: number): number => (t - axis.start) / axis.step;
      return lo >= 0 && lo + 1 <= geometry.tensor[a]! - 1 && [source(lo), source(lo + 1)].every((s) => s >= 0 && s <= n - 1);
    });
  });
  const axisOf = [0, 1, 2].map((v) => geometry.axes.findIndex((axis) => axis.voxel === v));
  let [checked, worst, seen] = [0, 0, 0];
  for (let z = 0, at = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, at++) {
        const index = [x, y, z];
        if (!Number.isNaN(back[at]!)) seen++;
        if (![0, 1, 2].every((v) => interior[axisOf[v]!]![index[v]!])) continue;
        checked++;
        worst = Math.max(worst, Math.abs(back[at]! - linear[at]!));
      }
    }
  }
  assert.ok(checked > 0.4 * nx * ny * nz, `only ${checked} interior voxels`);
  // float32 tensor values up to a few hundred
  assert.ok(worst < 1e-3, `largest round-trip difference ${worst}`);
  // The cropped-away parts along A and S are outside the tensor; the padded R axis keeps every voxel.
  assert.ok(seen < nx * ny * nz && seen > checked, `${seen} voxels inside the tensor`);
});

test('a map on a coarser grid over the same extent is read at half-pixel centres: a constant map stays constant, a map linear in its index follows (c + ½)·m/n − ½', async () => {
  const scan = await loadScan(VOLUME);
  const geometry = volumeGeometry(scan, input);
  const [d, h, w] = [4, 6, 8];
  const ramp = new Float32Array(d * h * w);
  for (let i = 0; i < d; i++) for (let j = 0; j < h; j++) for (let k = 0; k < w; k++) ramp[(i * h + j) * w + k] = k;
  const back = mapToScanGrid({ depth: d, height: h, width: w, data: ramp }, geometry, -1);
  const axis = geometry.axes[2];
  const [nz, ny, nx] = scan.shape;
  let checked = 0;
  for (let z = 0, at = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, at++) {
        if (back[at] === -1) continue;
        const c = axis.start + axis.step * [x, y, z][axis.voxel]!;
        const expected = Math.min(w - 1, Math.max(0, ((c + 0.5) * w) / geometry.tensor[2] - 0.5));
        assert.ok(Math.abs(back[at]! - expected) < 1e-5, `voxel (${x}, ${y}, ${z}): ${back[at]} vs ${expected}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 1000);
});

/** scipy's and nibabel's inverse of the same geometry, reached through world coordinates (scripts/reference/make_3d_inverse_reference.py). */
interface InverseReference {
  scanShape: [number, number, number];
  insideCount: number;
  sampleStride: number;
  fine: { sum: number; samples: number[] };
  coarse: { shape: [number, number, number]; data: number[]; sum: number; samples: number[] };
}
const reference = JSON.parse(readFileSync(fixture('volume3d', 'inverse.json'), 'utf8')) as InverseReference;

function compareWithReference(back: Float32Array, expected: { sum: number; samples: number[] }, what: string): void {
  let worst = 0;
  expected.samples.forEach((value, i) => (worst = Math.max(worst, Math.abs(back[i * reference.sampleStride]! - value))));
  assert.ok(worst <= 1e-4, `${what}: largest difference from scipy ${worst}`);
  const sum = back.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - expected.sum) <= 1e-4 * back.length, `${what}: sum ${sum} vs ${expected.sum}`);
}

test('a map on the tensor grid and one on a coarser 4×6×8 grid, on the oblique volume’s voxels: scipy map_coordinates through nibabel’s world coordinates within 1e-4, 0 on the same voxels outside', async () => {
  const scan = await loadScan(VOLUME);
  const geometry = volumeGeometry(scan, input);
  assert.deepEqual([...geometry.scan], reference.scanShape);
  const [d, h, w] = geometry.tensor;
  const fine = new Float32Array(d * h * w);
  for (let i = 0, at = 0; i < d; i++) for (let j = 0; j < h; j++) for (let k = 0; k < w; k++, at++) fine[at] = Math.sin(0.37 * i + 0.1) + 0.5 * Math.cos(0.23 * j - 0.4) + 0.03 * k;
  const fineBack = mapToScanGrid({ depth: d, height: h, width: w, data: fine }, geometry, NaN);
  assert.equal(fineBack.filter((v) => !Number.isNaN(v)).length, reference.insideCount);
  compareWithReference(mapToScanGrid({ depth: d, height: h, width: w, data: fine }, geometry), reference.fine, 'tensor-grid map');
  const [cd, ch, cw] = reference.coarse.shape;
  compareWithReference(mapToScanGrid({ depth: cd, height: ch, width: cw, data: Float32Array.from(reference.coarse.data) }, geometry), reference.coarse, 'coarse map');
});

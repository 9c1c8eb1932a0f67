import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Scan } from '../../../src/core/scan/scan';
import { scanStats } from '../../../src/core/scan/scanStats';

/** Reference values for one volume, as scripts/reference/make_scan_fixtures.py writes them. */
export interface VolumeReference {
  readonly shape: number[];
  readonly sha256: string;
  readonly affine: number[][];
  readonly stats?: { min: number; max: number; mean: number; std: number };
  readonly values?: number[];
}

export function voxelHash(scan: Scan): string {
  return createHash('sha256')
    .update(new Uint8Array(scan.voxels.buffer, scan.voxels.byteOffset, scan.voxels.byteLength))
    .digest('hex');
}

export function assertClose(actual: number, expected: number, what: string, relative = 1e-9): void {
  const tolerance = relative * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

export function assertVolumeMatches(scan: Scan, expected: VolumeReference, what: string): void {
  assert.deepEqual([...scan.shape], expected.shape, `${what} shape`);
  assert.equal(voxelHash(scan), expected.sha256, `${what}: stored values differ from nibabel's`);
  scan.affine!.forEach((row, r) => row.forEach((v, c) => assertClose(v, expected.affine[r]![c]!, `${what} affine[${r}][${c}]`, 1e-6)));
  if (expected.stats) {
    const stats = scanStats(scan);
    for (const key of ['min', 'max', 'mean', 'std'] as const) assertClose(stats[key], expected.stats[key], `${what} ${key}`);
  }
}

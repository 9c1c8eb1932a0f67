import assert from 'node:assert/strict';
import type { Scan } from '../../../src/core/scan/scan';
import { scanStats } from '../../../src/core/scan/scanStats';
import { assertClose, voxelHash } from './volumeAssertions';

/** pydicom's values for one file, as scripts/reference/make_scan_fixtures.py writes them. */
export interface DicomReference {
  readonly name?: string;
  readonly shape: number[];
  readonly channels: number;
  readonly dtype: string;
  readonly sha256: string;
  readonly transferSyntax: string | null;
  readonly stats: { min: number; max: number; mean: number; std: number };
  /** YBR_FULL(_422), or lossy JPEG in YBR: pydicom's own YBR→RGB conversion of its samples, which ScanLens must show. */
  readonly rgb?: { sha256: string; stats: { min: number; max: number; mean: number; std: number } };
  /** MONOCHROME1: pydicom's stored values inverted within their range, as ScanLens must show them. */
  readonly monochrome2?: { sha256: string; stats: { min: number; max: number; mean: number; std: number } };
}

const TYPES: Record<string, string> = { uint8: 'Uint8Array', int8: 'Int8Array', uint16: 'Uint16Array', int16: 'Int16Array', uint32: 'Uint32Array', int32: 'Int32Array' };

export function assertMatchesPydicom(scan: Scan, expected: DicomReference, what: string): void {
  assert.deepEqual([...scan.shape], expected.shape, `${what} shape`);
  assert.equal(scan.channels, expected.channels, `${what} channels`);
  assert.equal(scan.voxels.constructor.name, TYPES[expected.dtype.replace(/^[<>]/, '').replace(/^i2$/, 'int16').replace(/^u4$/, 'uint32')], `${what} sample type`);
  if (expected.rgb) assert.equal(scan.metadata.photometric, 'RGB', `${what}: YBR comes out as RGB`);
  if (expected.monochrome2) assert.equal(scan.metadata.photometric, 'MONOCHROME2', `${what}: MONOCHROME1 comes out as MONOCHROME2`);
  const values = expected.rgb ?? expected.monochrome2 ?? expected;
  assert.equal(voxelHash(scan), values.sha256, `${what}: pixel values differ from pydicom's`);
  const stats = scanStats(scan);
  for (const key of ['min', 'max', 'mean', 'std'] as const) assertClose(stats[key], values.stats[key], `${what} ${key}`);
}

import { ScanLensError } from '../errors';
import type { Manifest } from '../model/manifest';
import { prepareInput, type PreparedInput } from '../preprocess/prepareInput';
import { DEFAULT_LIMITS } from '../scan/limits';
import { loadScan } from '../scan/loadScan';
import type { Scan } from '../scan/scan';
import { chooseSlice, cutSlice } from '../scan/sliceChoice';

/**
 * A file's one 2D slice, decoded, as classify and explain see it: a single
 * image as stored; a one-slice NIfTI in display orientation (its affine
 * orients it, as chooseSlice's rule says). A volume is refused rather than
 * silently reduced to one of its slices: a score must say what it scored
 * (the anomaly job scores a chosen slice of a volume and names it).
 */
export async function loadSingleSlice(file: string): Promise<Scan> {
  const scan = await loadScan(file, DEFAULT_LIMITS);
  const slice = chooseSlice(scan);
  if (slice.count > 1) throw new ScanLensError(`has ${slice.count} ${slice.axis} slices; anomaly scores are per 2D slice (anomaly score --axis/--slice scores one slice of a volume)`, file);
  return cutSlice(scan, slice);
}

/** A single-slice scan file as the model's input. */
export async function prepareSlice(file: string, manifest: Manifest): Promise<PreparedInput> {
  return prepareInput(await loadSingleSlice(file), manifest, 0);
}

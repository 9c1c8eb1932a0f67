import { ScanLensError } from '../errors';
import type { Manifest } from '../model/manifest';
import { prepareInput, type PreparedInput } from '../preprocess/prepareInput';
import { DEFAULT_LIMITS } from '../scan/limits';
import { loadScan } from '../scan/loadScan';
import type { Scan } from '../scan/scan';

/**
 * A single-slice scan file, decoded. Volumes are refused rather than
 * silently reduced to their first slice: a score must say what it scored.
 */
export async function loadSingleSlice(file: string): Promise<Scan> {
  const scan = await loadScan(file, DEFAULT_LIMITS);
  const depth = scan.shape[0];
  if (depth > 1) throw new ScanLensError(`has ${depth} slices; anomaly scores are per 2D slice (volumes are not supported yet)`, file);
  return scan;
}

/** A single-slice scan file as the model's input. */
export async function prepareSlice(file: string, manifest: Manifest): Promise<PreparedInput> {
  return prepareInput(await loadSingleSlice(file), manifest, 0);
}

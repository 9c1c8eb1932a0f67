import { ScanLensError } from '../errors';
import type { Manifest } from '../model/manifest';
import { prepareInput, type PreparedInput } from '../preprocess/prepareInput';
import { DEFAULT_LIMITS } from '../scan/limits';
import { loadScan } from '../scan/loadScan';

/**
 * A single-slice scan as the model's input. Volumes are refused rather than
 * silently reduced to their first slice: a score must say what it scored.
 */
export async function prepareSlice(file: string, manifest: Manifest): Promise<PreparedInput> {
  const scan = await loadScan(file, DEFAULT_LIMITS);
  const depth = scan.shape[0];
  if (depth > 1) throw new ScanLensError(`has ${depth} slices; anomaly scores are per 2D slice (volumes are not supported yet)`, file);
  return prepareInput(scan, manifest, 0);
}

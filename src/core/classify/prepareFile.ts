import { oneLine } from '../errors';
import type { Manifest } from '../model/manifest';
import { prepareInput } from '../preprocess/prepareInput';
import type { DecodeLimits } from '../scan/limits';
import { loadScan, type LoadOptions } from '../scan/loadScan';

/** One file decoded and turned into a model input, or the one-line reason it could not be. */
export interface Prepared {
  readonly file: string;
  readonly data?: Float32Array;
  readonly notes: string[];
  readonly error?: string;
}

/** Never rejects: a bad file is a value, so a batch goes on around it. The model input goes into `out` when given. */
export async function prepareFile(manifest: Manifest, file: string, limits: DecodeLimits, load: LoadOptions = {}, out?: Float32Array): Promise<Prepared> {
  try {
    const scan = await loadScan(file, limits, load);
    const notes: string[] = [];
    if (scan.shape[0] > 1) notes.push(`file has ${scan.shape[0]} pages: classified the first`);
    const { data } = await prepareInput(scan, manifest, 0, out);
    return { file, data, notes };
  } catch (error) {
    return { file, notes: [], error: oneLine(error) };
  }
}

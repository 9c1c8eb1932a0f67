import { ScanLensError } from '../errors';
import type { Image2D } from '../image';
import type { LoadedModel } from '../model/loadModel';
import { toChannels } from '../preprocess/colour';
import { prepareInput } from '../preprocess/prepareInput';
import { DEFAULT_LIMITS } from '../scan/limits';
import { loadScan, type LoadOptions } from '../scan/loadScan';
import { explainInput, type Explanation, type ExplainOptions } from './explain';

/** A class given as a label or as an index; undefined means the top class. */
export function classIndexOf(model: LoadedModel, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const { labels } = model.manifest;
  const byLabel = labels.indexOf(text);
  if (byLabel >= 0) return byLabel;
  if (/^\d+$/.test(text) && Number(text) < labels.length) return Number(text);
  throw new ScanLensError(`unknown class '${text}'; the model's classes are ${labels.map((l, i) => `${i}:${l}`).join(', ')}`);
}

/**
 * Explains one scan file (its first slice) and returns the slice to draw the
 * map over, whatever the model's fit: explanationPng maps it onto the slice.
 */
export async function explainFile(model: LoadedModel, path: string, options: ExplainOptions, load: LoadOptions = {}): Promise<{ explanation: Explanation; base: Image2D }> {
  const scan = await loadScan(path, DEFAULT_LIMITS, load);
  const prepared = await prepareInput(scan, model.manifest, 0);
  const explanation = await explainInput(model, prepared.data, options);
  let base = prepared.sliceImage;
  if (base.channels !== 1 && base.channels !== 3) base = toChannels(base, 1);
  return { explanation, base };
}

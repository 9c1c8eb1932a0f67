import type { Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../../errors';
import type { Image2D } from '../../image';
import type { LoadedModel } from '../../model/loadModel';
import { ort } from '../../native/ort';
import type { AnomalibMetadata } from './anomalibMetadata';
import { normalizeMinMax } from './normalizeMinMax';

export const ANOMALIB_OUTPUTS = ['pred_score', 'anomaly_map', 'pred_label', 'pred_mask'] as const;

/** An anomalib export: manifest task 'anomalib', or a graph with pred_score and anomaly_map outputs. */
export function isAnomalibModel(model: LoadedModel): boolean {
  const outputs = model.session.outputNames;
  return model.manifest.task === 'anomalib' || (outputs.includes('pred_score') && outputs.includes('anomaly_map'));
}

export interface AnomalibResult {
  readonly score: number;
  readonly label: 'normal' | 'anomalous';
  readonly threshold: number;
  /** The anomaly map, at the graph's output size. */
  readonly map: Image2D;
  readonly mask?: Image2D;
  /** How the score was read: normalised here from metadata.json, or used as the graph gives it. */
  readonly normalisation: 'metadata' | 'graph';
}

function toImage(tensor: Tensor, name: string, file: string): Image2D {
  const dims = tensor.dims;
  const [height, width] = dims.slice(-2) as [number, number];
  const data = Float32Array.from(tensor.data as ArrayLike<number | boolean>, Number);
  if (dims.length < 2 || data.length !== width * height) throw new ScanLensError(`output '${name}' has shape [${dims.join(', ')}]; expected one H×W map`, file);
  return { width, height, channels: 1, data };
}

/**
 * Runs an anomalib export as anomalib's inferencers do: raw outputs, then
 * (v1, with metadata.json) min-max normalisation of score and map so the
 * threshold is 0.5; v2 graphs already normalise and label inside.
 */
export async function runAnomalib(model: LoadedModel, input: Float32Array, metadata: AnomalibMetadata | undefined, thresholdOverride?: number): Promise<AnomalibResult> {
  const { layout, channels, size } = model.manifest.input;
  const dims = layout === 'NCHW' ? [1, channels, size.height, size.width] : [1, size.height, size.width, channels];
  const wanted = ANOMALIB_OUTPUTS.filter((o) => model.session.outputNames.includes(o));
  if (!wanted.includes('pred_score') || !wanted.includes('anomaly_map'))
    throw new ScanLensError(`an anomalib model needs outputs pred_score and anomaly_map; it has ${model.session.outputNames.join(', ')}`, model.onnxPath);
  let out: Record<string, Tensor>;
  try {
    out = await model.session.run({ [model.inputName]: new (ort().Tensor)('float32', input, dims) }, wanted);
  } catch (error) {
    throw new ScanLensError(`inference failed (${oneLine(error)})`, model.onnxPath);
  }
  const raw = Number((out['pred_score']!.data as ArrayLike<number>)[0]);
  let map = toImage(out['anomaly_map']!, 'anomaly_map', model.onnxPath);
  const mask = out['pred_mask'] ? toImage(out['pred_mask'], 'pred_mask', model.onnxPath) : undefined;
  const image = metadata?.image;
  if (image) {
    const pixel = metadata.pixel ?? image;
    map = { ...map, data: map.data.map((v) => normalizeMinMax(v, pixel.threshold, pixel.min, pixel.max)) };
    const score = normalizeMinMax(raw, image.threshold, image.min, image.max);
    const threshold = thresholdOverride ?? 0.5;
    return { score, threshold, label: score >= threshold ? 'anomalous' : 'normal', map, mask, normalisation: 'metadata' };
  }
  const threshold = thresholdOverride ?? metadata?.imageThreshold ?? 0.5;
  const graphLabel = out['pred_label'] && thresholdOverride === undefined ? Boolean(Number((out['pred_label'].data as ArrayLike<number | boolean>)[0])) : undefined;
  const anomalous = graphLabel ?? raw >= threshold;
  return { score: raw, threshold, label: anomalous ? 'anomalous' : 'normal', map, mask, normalisation: 'graph' };
}

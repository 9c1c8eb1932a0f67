import { dirname, join } from 'node:path';
import { aboutFile } from '../../errors';
import { getModel } from '../../model/modelCache';
import { resizeImage } from '../../preprocess/resize';
import { prepareInput, type PreparedInput } from '../../preprocess/prepareInput';
import { prepareSlice } from '../prepareSlice';
import type { AnomalyResult, AnomalyScorer, ScorerOptions } from '../scorer';
import { readAnomalibMetadata } from './anomalibMetadata';
import { isAnomalibModel, runAnomalib } from './anomalibModel';

/**
 * An anomalib export as a scorer. Grey scans become 3 channels when the
 * graph wants 3 (prepareInput follows the input's channel count), and
 * metadata.json beside the .onnx, when present, supplies v1 normalisation.
 */
export async function openAnomalib(path: string, options: ScorerOptions = {}): Promise<AnomalyScorer> {
  const model = await getModel(path, { threads: options.threads, provider: options.provider });
  if (!isAnomalibModel(model))
    throw aboutFile(path, new Error(`not an anomaly detector: no detector.json, and the model's outputs (${model.session.outputNames.join(', ')}) are not anomalib's pred_score and anomaly_map`));
  const metadata = await readAnomalibMetadata(join(dirname(model.onnxPath), 'metadata.json'));
  const threshold = metadata?.image ? 0.5 : (metadata?.imageThreshold ?? 0.5);
  const scored = async (prepared: PreparedInput, override?: number): Promise<AnomalyResult> => {
    const result = await runAnomalib(model, prepared.data, metadata, override);
    const size = model.manifest.input.size;
    const map = result.map.width === size.width && result.map.height === size.height ? result.map : resizeImage(result.map, size, 'linear', 'fill');
    return { score: result.score, label: result.label, threshold: result.threshold, map };
  };
  return {
    kind: 'anomalib',
    threshold,
    input: model.manifest.input,
    summary: () => ({
      path: model.onnxPath,
      method: 'anomalib',
      model: { name: model.manifest.name, sha256: model.sha256 },
      normalisation: metadata?.image ? { metadata: metadata.file, ...metadata.image } : 'graph',
      threshold,
      ...(model.assumptions.length ? { assumptions: model.assumptions } : {}),
    }),
    score: async (file, override) => scored(await prepareSlice(file, model.manifest), override),
    scoreSlice: async (scan, index, override) => scored(await prepareInput(scan, model.manifest, index), override),
  };
}

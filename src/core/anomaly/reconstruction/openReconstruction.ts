import { ScanLensError } from '../../errors';
import { imageInput } from '../../model/imageInput';
import type { LoadedModel } from '../../model/loadModel';
import { runModel } from '../../model/runModel';
import { DEFAULT_SIGMA, anomalyMap } from '../anomalyMap';
import { prepareInput, type PreparedInput } from '../../preprocess/prepareInput';
import { prepareSlice } from '../prepareSlice';
import type { AnomalyResult, AnomalyScorer } from '../scorer';
import { reconstructionError } from './reconstructionError';

/**
 * A reconstruction model (manifest task 'reconstruction', e.g. an
 * autoencoder trained on normal scans) as a scorer: the map is the
 * per-pixel squared error, smoothed like the detectors' maps, and the score
 * its maximum. The threshold is the manifest's anomaly.threshold, or given.
 */
export function openReconstruction(model: LoadedModel, threshold?: number): AnomalyScorer {
  const fixed = threshold ?? model.manifest.anomaly?.threshold;
  if (fixed === undefined) throw new ScanLensError('a reconstruction model needs a threshold: set anomaly.threshold in its manifest or pass --threshold', model.manifestPath ?? model.onnxPath);
  const sigma = model.manifest.anomaly?.sigma ?? DEFAULT_SIGMA;
  const { layout, channels, size } = imageInput(model.manifest, 'anomaly scoring', model.manifestPath ?? model.onnxPath);
  const scored = async (prepared: PreparedInput, override = fixed): Promise<AnomalyResult> => {
    const [output] = await runModel(model, [prepared.data]);
    const error = reconstructionError(prepared.data, output!, layout, channels, size.width * size.height);
    const result = anomalyMap(error, size, size, sigma);
    return { ...result, threshold: override, label: result.score >= override ? 'anomalous' : 'normal' };
  };
  return {
    kind: 'reconstruction',
    threshold: fixed,
    input: model.manifest.input,
    summary: () => ({ path: model.manifestPath ?? model.onnxPath, method: 'reconstruction', model: { name: model.manifest.name, sha256: model.sha256 }, sigma, threshold: fixed }),
    score: async (file, override) => scored(await prepareSlice(file, model.manifest), override),
    scoreSlice: async (scan, index, override) => scored(await prepareInput(scan, model.manifest, index), override),
  };
}

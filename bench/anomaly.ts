/** The anomaly stage: the demo PaDiM detector scoring one decoded slice, against a bare run of the backbone with its feature outputs on the same tensor. */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadDetector } from '../src/core/anomaly/detectorFile';
import { featureSession } from '../src/core/anomaly/features/featureSession';
import { openScorer } from '../src/core/anomaly/openScorer';
import type { LoadedModel } from '../src/core/model/loadModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { loadScan } from '../src/core/scan/loadScan';
import { dims } from './plainOrt';
import { interleavedMedians } from './stats';

export interface AnomalyStage {
  readonly stages_ms: { anomaly: number; ort_anomaly_features: number };
  readonly ratios: { anomaly_vs_ort_features: number };
}

export async function anomalyStage(root: string, backbone: LoadedModel, sample: string, threads: number, runs: number): Promise<AnomalyStage> {
  const folder = join(root, 'models', 'brain-mri-demo-padim');
  const scorer = await openScorer(folder, { threads });
  const { manifest } = await loadDetector(folder);
  const features = await featureSession(backbone, manifest.features.layers, { threads });
  const scan = await loadScan(sample);
  const input = (await prepareInput(scan, backbone.manifest)).data;
  const medians = await interleavedMedians(runs, {
    // Features, patch statistics and the map: everything after decoding.
    anomaly: () => scorer.scoreSlice(scan, 0),
    ort_anomaly_features: () => features.run({ [backbone.inputName]: new ort.Tensor('float32', input, dims(backbone, 1)) }),
  });
  const stages_ms = { anomaly: medians.anomaly!, ort_anomaly_features: medians.ort_anomaly_features! };
  return { stages_ms, ratios: { anomaly_vs_ort_features: stages_ms.anomaly / stages_ms.ort_anomaly_features } };
}

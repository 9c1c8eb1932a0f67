/**
 * The anomaly stage: `anomaly fit`'s default detector (PaDiM on models/brain-ssl-backbone,
 * docs/anomaly.md), fitted in memory on samples/anomaly/normal, scoring one decoded slice,
 * against a bare run of that backbone with its feature outputs on the same tensor; and the
 * fit's time per image.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { featureSession } from '../src/core/anomaly/features/featureSession';
import { fitAnomalyDetector } from '../src/core/jobs/anomalyJob';
import { loadModel } from '../src/core/model/loadModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { loadScan } from '../src/core/scan/loadScan';
import { dims } from './plainOrt';
import { interleavedMedians } from './stats';

export interface AnomalyStage {
  readonly stages_ms: { anomaly: number; ort_anomaly_features: number; anomaly_fit_per_image: number };
  readonly ratios: { anomaly_vs_ort_features: number };
}

export async function anomalyStage(root: string, sample: string, threads: number, runs: number): Promise<AnomalyStage> {
  const backbone = await loadModel(join(root, 'models', 'brain-ssl-backbone', 'model.json'), { threads });
  const normal = join(root, 'samples', 'anomaly', 'normal');
  const files = readdirSync(normal)
    .sort()
    .map((name) => join(normal, name));
  // The CLI's defaults: method, layers, channels, grid and smoothing all unset.
  const started = performance.now();
  const fitted = await fitAnomalyDetector(files, { method: 'padim', backbone, seed: 0, percentile: 95, threads });
  const fitPerImage = (performance.now() - started) / files.length;
  const features = await featureSession(backbone, fitted.manifest.features.layers, { threads });
  const scan = await loadScan(sample);
  const input = (await prepareInput(scan, backbone.manifest)).data;
  const medians = await interleavedMedians(runs, {
    // Features, patch statistics and the map: everything after decoding.
    anomaly: () => fitted.scorer.scoreSlice(scan, 0),
    ort_anomaly_features: () => features.run({ [backbone.inputName]: new ort.Tensor('float32', input, dims(backbone, 1)) }),
  });
  const stages_ms = { anomaly: medians.anomaly!, ort_anomaly_features: medians.ort_anomaly_features!, anomaly_fit_per_image: fitPerImage };
  return { stages_ms, ratios: { anomaly_vs_ort_features: stages_ms.anomaly / stages_ms.ort_anomaly_features } };
}

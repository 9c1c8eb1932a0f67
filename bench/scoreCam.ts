/**
 * Score-CAM on one image, set against its limit: the same number of inputs
 * (one per varying channel, plus the zero input when a channel is constant)
 * through plain onnxruntime in batches of the same size, on ready tensors.
 */
import * as ort from 'onnxruntime-node';
import { explainInput } from '../src/core/explain/explain';
import { batchSizeFor } from '../src/core/explain/perturbations';
import type { LoadedModel } from '../src/core/model/loadModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { loadScan } from '../src/core/scan/loadScan';
import { dims, plainSession } from './plainOrt';
import { interleavedMedians } from './stats';

export interface ScoreCamStage {
  /** Median of one whole Score-CAM call (activations, masks, every masked run, the map), ms. */
  readonly scorecam_ms: number;
  /** The masked inputs it runs. */
  readonly masked_runs: number;
  /** Plain onnxruntime on as many ready inputs in batches of the same size, ms. */
  readonly ort_same_runs_ms: number;
  readonly scorecam_vs_ort_same_runs: number;
  readonly runs: number;
}

export async function scoreCamStage(model: LoadedModel, sample: string, threads: number, runs: number): Promise<ScoreCamStage> {
  const { data: input } = await prepareInput(await loadScan(sample), model.manifest);
  let masked = 0;
  const scorecam = (): Promise<unknown> => explainInput(model, input, { method: 'scorecam', threads, onProgress: (_done, total) => (masked = total) });
  await scorecam();
  const plain = await plainSession(model.onnxPath, threads);
  const batch = batchSizeFor(input.length);
  const stacked = new Float32Array(batch * input.length);
  for (let i = 0; i < batch; i++) stacked.set(input, i * input.length);
  const ortSameRuns = async (): Promise<void> => {
    for (let start = 0; start < masked; start += batch) {
      const n = Math.min(batch, masked - start);
      await plain.run({ [model.inputName]: new ort.Tensor('float32', stacked.subarray(0, n * input.length), dims(model, n)) });
    }
  };
  const measured = await interleavedMedians(runs, { scorecam, ort_same_runs: ortSameRuns }, 1);
  await plain.release();
  return { scorecam_ms: measured.scorecam!, masked_runs: masked, ort_same_runs_ms: measured.ort_same_runs!, scorecam_vs_ort_same_runs: measured.scorecam! / measured.ort_same_runs!, runs };
}

export function scoreCamLine(s: ScoreCamStage): string {
  return `  Score-CAM (${s.masked_runs} masked runs)     ${(s.scorecam_ms / 1000).toFixed(2)} s median of ${s.runs}   plain onnxruntime on ${s.masked_runs} ready inputs ${(s.ort_same_runs_ms / 1000).toFixed(2)} s   ${s.scorecam_vs_ort_same_runs.toFixed(2)}×`;
}

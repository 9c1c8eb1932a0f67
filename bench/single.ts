/** One image through every stage, each set against plain onnxruntime on the same tensor, at its best way of waiting (spin or not). */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { explainInput } from '../src/core/explain/explain';
import { explainJob } from '../src/core/jobs/explainJob';
import { resolveTargetLayer } from '../src/core/explain/explainSessions';
import { CLASS_INPUT } from '../src/core/explain/backwardGraph';
import { deriveGradientModel } from '../src/core/explain/deriveGradientModel';
import type { LoadedModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { explanationPng } from '../src/core/render/explanationOverlay';
import { loadScan } from '../src/core/scan/loadScan';
import { dims, plainSession } from './plainOrt';
import { bestMedians, timeMedian } from './stats';

export interface SingleImage {
  readonly stages_ms: Record<string, number>;
  readonly ratios: Record<string, number>;
  /** The prepared input, for the PyTorch side-by-side. */
  readonly input: Float32Array;
}

export async function singleImage(model: LoadedModel, sample: string, threads: number, runs: number): Promise<SingleImage> {
  const scan = await loadScan(sample);
  const prepared = await prepareInput(scan, model.manifest);
  const input = prepared.data;
  const plain = await plainSession(model.onnxPath, threads);
  const plainNoSpin = await plainSession(model.onnxPath, threads, 'never');
  const tensor = (): ort.Tensor => new ort.Tensor('float32', input, dims(model, 1));
  const layer = await resolveTargetLayer(model, undefined);
  // The derived forward+backward model run bare: the explanation's own limit.
  const derivedBytes = await deriveGradientModel(await readFile(model.onnxPath), { target: layer.tensor, logits: model.outputName, feeds: { [model.inputName]: tensor() }, file: model.onnxPath });
  const derived = await plainSession(derivedBytes, threads);
  const derivedNoSpin = await plainSession(derivedBytes, threads, 'never');
  const classFeed = new ort.Tensor('int64', BigInt64Array.from([-1n]), [1]);
  const backwardFeeds = (): Record<string, ort.Tensor> => ({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed });

  const explain = (): ReturnType<typeof explainInput> => explainInput(model, input, { method: 'gradcam', threads });
  // The image `scanlens explain --out` draws over: the scan itself.
  const { explanation, base } = await explainJob(model, sample, { method: 'gradcam', threads });
  const render = (): Buffer => explanationPng(base, explanation.map, model.manifest.input, 'jet', 0.5);

  // Warmed up as long as they are timed: V8 re-optimises these loops for each model's sizes, which took ResNet-18's preprocess median to 0.75 ms from 0.37 after the demo model's.
  const decode = await timeMedian(runs, () => loadScan(sample), runs);
  const preprocess = await timeMedian(runs, () => prepareInput(scan, model.manifest), runs);
  const renderMs = await timeMedian(runs, () => render(), runs);
  const measured = await bestMedians(runs, {
    inference: () => runModel(model, [input]),
    ort_forward_spin_during_runs: () => plain.run({ [model.inputName]: tensor() }),
    ort_forward_no_spin: () => plainNoSpin.run({ [model.inputName]: tensor() }),
    explanation: explain,
    ort_forward_backward_spin_during_runs: () => derived.run(backwardFeeds()),
    ort_forward_backward_no_spin: () => derivedNoSpin.run(backwardFeeds()),
    classify_end_to_end: async () => runModel(model, [(await prepareInput(await loadScan(sample), model.manifest)).data]),
    // Exactly `scanlens explain FILE --out overlay.png`, short of writing the file.
    explain_end_to_end: async () => {
      const e = await explainJob(model, sample, { method: 'gradcam', threads, load: { blockingRead: true } });
      return explanationPng(e.base, e.explanation.map, model.manifest.input, 'jet', 0.5);
    },
  });
  await Promise.all([plain.release(), plainNoSpin.release(), derived.release(), derivedNoSpin.release()]);
  // onnxruntime's default, spinning on after each run: alone and last, since its idle threads spin into whatever runs next.
  const plainSpinning = await plainSession(model.onnxPath, threads, 'always');
  const derivedSpinning = await plainSession(derivedBytes, threads, 'always');
  measured.ort_forward_spinning = await timeMedian(runs, () => plainSpinning.run({ [model.inputName]: tensor() }));
  measured.ort_forward_backward_spinning = await timeMedian(runs, () => derivedSpinning.run(backwardFeeds()));
  await Promise.all([plainSpinning.release(), derivedSpinning.release()]);
  const fastest = (stage: string): number => Math.min(...['spin_during_runs', 'no_spin', 'spinning'].map((way) => measured[`${stage}_${way}`]!));
  const best = { ort_forward: fastest('ort_forward'), ort_forward_backward: fastest('ort_forward_backward') };
  return {
    stages_ms: { decode, preprocess, render: renderMs, ...measured, ...best },
    ratios: {
      inference_vs_ort: measured.inference! / best.ort_forward,
      classify_vs_ort: measured.classify_end_to_end! / best.ort_forward,
      explain_vs_ort_forward: measured.explanation! / best.ort_forward,
      explain_vs_ort_forward_backward: measured.explanation! / best.ort_forward_backward,
      explain_end_to_end_vs_ort_forward_backward: measured.explain_end_to_end! / best.ort_forward_backward,
    },
    input,
  };
}

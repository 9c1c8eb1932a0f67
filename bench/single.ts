/** One image through every stage, each set against plain onnxruntime on the same tensor, at its best of spin-waiting or not. */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { explainInput } from '../src/core/explain/explain';
import { explainFile } from '../src/core/explain/explainFile';
import { gradientSession, resolveTargetLayer } from '../src/core/explain/explainSessions';
import { CLASS_INPUT } from '../src/core/explain/backwardGraph';
import { deriveGradientModel } from '../src/core/explain/deriveGradientModel';
import type { LoadedModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { explanationPng } from '../src/core/render/explanationOverlay';
import { loadScan } from '../src/core/scan/loadScan';
import { dims, plainSession } from './plainOrt';
import { interleavedMedians, timeMedian } from './stats';

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
  const tensor = (): ort.Tensor => new ort.Tensor('float32', input, dims(model, 1));
  const layer = await resolveTargetLayer(model, undefined);
  // The derived forward+backward model run bare: the explanation's own limit.
  const derived = await gradientSession(model, layer.tensor, { threads });
  const classFeed = new ort.Tensor('int64', BigInt64Array.from([-1n]), [1]);

  const explain = (): ReturnType<typeof explainInput> => explainInput(model, input, { method: 'gradcam', threads });
  // The image `scanlens explain --out` draws over: the scan itself.
  const { explanation, base } = await explainFile(model, sample, { method: 'gradcam', threads });
  const render = (): Buffer => explanationPng(base, explanation.map, model.manifest.input, 'jet', 0.5);

  const decode = await timeMedian(runs, () => loadScan(sample));
  const preprocess = await timeMedian(runs, () => prepareInput(scan, model.manifest));
  const renderMs = await timeMedian(runs, () => render());
  const paired = await interleavedMedians(runs, {
    inference: () => runModel(model, [input]),
    ort_forward_no_spin: () => plain.run({ [model.inputName]: tensor() }),
    explanation: explain,
    ort_forward_backward_no_spin: () => derived.run({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed }),
    classify_end_to_end: async () => runModel(model, [(await prepareInput(await loadScan(sample), model.manifest)).data]),
    // Exactly `scanlens explain FILE --out overlay.png`, short of writing the file.
    explain_end_to_end: async () => {
      const e = await explainFile(model, sample, { method: 'gradcam', threads }, { blockingRead: true });
      return explanationPng(e.base, e.explanation.map, model.manifest.input, 'jet', 0.5);
    },
  });
  await plain.release();
  // The limits at their best: the same models with onnxruntime's spin-waiting threads, faster on an idle machine.
  // Timed apart, after everything else: while such a session exists its idle threads spin into whatever runs next.
  const plainSpinning = await plainSession(model.onnxPath, threads, true);
  const derivedBytes = await deriveGradientModel(await readFile(model.onnxPath), { target: layer.tensor, logits: model.outputName, feeds: { [model.inputName]: tensor() }, file: model.onnxPath });
  const derivedSpinning = await plainSession(derivedBytes, threads, true);
  paired.ort_forward_spinning = await timeMedian(runs, () => plainSpinning.run({ [model.inputName]: tensor() }));
  paired.ort_forward_backward_spinning = await timeMedian(runs, () => derivedSpinning.run({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed }));
  await Promise.all([plainSpinning.release(), derivedSpinning.release()]);
  const best = {
    ort_forward: Math.min(paired.ort_forward_no_spin!, paired.ort_forward_spinning!),
    ort_forward_backward: Math.min(paired.ort_forward_backward_no_spin!, paired.ort_forward_backward_spinning!),
  };
  return {
    stages_ms: { decode, preprocess, render: renderMs, ...paired, ...best },
    ratios: {
      inference_vs_ort: paired.inference! / best.ort_forward,
      classify_vs_ort: paired.classify_end_to_end! / best.ort_forward,
      explain_vs_ort_forward: paired.explanation! / best.ort_forward,
      explain_vs_ort_forward_backward: paired.explanation! / best.ort_forward_backward,
      explain_end_to_end_vs_ort_forward_backward: paired.explain_end_to_end! / best.ort_forward_backward,
    },
    input,
  };
}

/** One image through every stage, each set against plain onnxruntime on the same tensor. */
import * as ort from 'onnxruntime-node';
import { explainInput } from '../src/core/explain/explain';
import { explainFile } from '../src/core/explain/explainFile';
import { gradientSession, resolveTargetLayer } from '../src/core/explain/explainSessions';
import { CLASS_INPUT } from '../src/core/explain/backwardGraph';
import type { LoadedModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { explanationOverlay } from '../src/core/render/explanationOverlay';
import { encodePng } from '../src/core/render/png';
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
  // The image `scanlens explain --out` draws over: the scan itself for stretch-to-fit models.
  const { explanation, base } = await explainFile(model, sample, { method: 'gradcam', threads });
  const render = (): Promise<Buffer> => encodePng(explanationOverlay(base, explanation.map, 'jet', 0.5));

  const decode = await timeMedian(runs, () => loadScan(sample));
  const preprocess = await timeMedian(runs, () => prepareInput(scan, model.manifest));
  const renderMs = await timeMedian(runs, () => render());
  const paired = await interleavedMedians(runs, {
    inference: () => runModel(model, [input]),
    ort_forward: () => plain.run({ [model.inputName]: tensor() }),
    explanation: explain,
    ort_forward_backward: () => derived.run({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed }),
    classify_end_to_end: async () => runModel(model, [(await prepareInput(await loadScan(sample), model.manifest)).data]),
    // Exactly `scanlens explain FILE --out overlay.png`, short of writing the file.
    explain_end_to_end: async () => {
      const e = await explainFile(model, sample, { method: 'gradcam', threads });
      return encodePng(explanationOverlay(e.base, e.explanation.map, 'jet', 0.5));
    },
  });
  await plain.release();
  return {
    stages_ms: { decode, preprocess, render: renderMs, ...paired },
    ratios: {
      inference_vs_ort: paired.inference! / paired.ort_forward!,
      classify_vs_ort: paired.classify_end_to_end! / paired.ort_forward!,
      explain_vs_ort_forward: paired.explanation! / paired.ort_forward!,
      explain_vs_ort_forward_backward: paired.explanation! / paired.ort_forward_backward!,
      explain_end_to_end_vs_ort_forward_backward: paired.explain_end_to_end! / paired.ort_forward_backward!,
    },
    input,
  };
}

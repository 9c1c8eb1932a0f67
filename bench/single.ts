/** One image through every stage, each set against plain onnxruntime on the same tensor. */
import * as ort from 'onnxruntime-node';
import { explainInput } from '../src/core/explain/explain';
import { gradientSession, resolveTargetLayer } from '../src/core/explain/explainSessions';
import { CLASS_INPUT } from '../src/core/explain/backwardGraph';
import type { LoadedModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { toChannels } from '../src/core/preprocess/colour';
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
  const explanation = await explain();
  const base = prepared.modelImage.channels === 1 || prepared.modelImage.channels === 3 ? prepared.modelImage : toChannels(prepared.modelImage, 1);
  const render = async (map = explanation.map): Promise<Buffer> => encodePng(explanationOverlay(base, map, 'jet', 0.5));

  const decode = await timeMedian(runs, () => loadScan(sample));
  const preprocess = await timeMedian(runs, () => prepareInput(scan, model.manifest));
  const renderMs = await timeMedian(runs, () => render());
  const paired = await interleavedMedians(runs, {
    inference: () => runModel(model, [input]),
    ort_forward: () => plain.run({ [model.inputName]: tensor() }),
    explanation: explain,
    ort_forward_backward: () => derived.run({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed }),
    classify_end_to_end: async () => runModel(model, [(await prepareInput(await loadScan(sample), model.manifest)).data]),
    explain_end_to_end: async () => {
      const s = await loadScan(sample);
      const p = await prepareInput(s, model.manifest);
      const e = await explainInput(model, p.data, { method: 'gradcam', threads });
      return render(e.map);
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

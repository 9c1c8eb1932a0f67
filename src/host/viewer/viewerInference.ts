import { verdict, type OodGuard } from '../../core/anomaly/oodGuard';
import { toRow } from '../../core/classify/classify';
import { classifyVolume } from '../../core/classify/classifyVolume';
import type { Explanation } from '../../core/explain/explain';
import type { RunControl } from '../../core/explain/perturbations';
import { minMaxNormalise } from '../../core/explain/upsample';
import type { LoadedModel } from '../../core/model/loadModel';
import { runModel } from '../../core/model/runModel';
import { mapToSlice, type ModelView } from '../../core/preprocess/mapToSlice';
import { prepareInput } from '../../core/preprocess/prepareInput';
import type { Scan } from '../../core/scan/scan';
import type { Axis, ClassifyResult, ExplainChoice, ExplainResult, ProfileResult, SliceHeat } from '../../protocol/viewerMessages';
import { sliceAnomaly } from './sliceAnomaly';
import type { SliceExplanations } from './sliceExplanation';
import { imageInput } from '../../core/model/imageInput';

/** What refuses a 3D model: the viewer classifies and explains one slice at a time. */
const VIEWER = 'the viewer';

/** Class probabilities of one slice (of a scan already cut along the wanted axis), and the guard's verdict on it when the model has one. */
export async function classifySlice(model: LoadedModel, scan: Scan, index: number, guard?: OodGuard): Promise<ClassifyResult> {
  imageInput(model.manifest, VIEWER, model.manifestPath ?? model.onnxPath);
  const prepared = await prepareInput(scan, model.manifest, index);
  const [output] = await runModel(model, [prepared.data]);
  const row = toRow(model, scan.path, output!, 1);
  const scored = guard && (await sliceAnomaly(guard, scan, index));
  const checked = scored && verdict(scored.score, scored.threshold);
  return {
    labels: [...model.manifest.labels],
    probabilities: [...row.probabilities!],
    model: model.manifest.name,
    ...(checked ? { anomalyScore: checked.anomalyScore, anomalyThreshold: checked.threshold, ...(checked.flag ? { flag: checked.flag } : {}) } : {}),
  };
}

/**
 * The explanation map brought onto the slice as the model's input framed it
 * and stretched to [0,1] (NaN where the model did not see the slice): what
 * the page colours and blends, in any colormap and opacity, without asking again.
 */
export function explanationHeat(explanation: Explanation, size: { width: number; height: number }, view: ModelView): SliceHeat {
  return { width: size.width, height: size.height, values: minMaxNormalise(mapToSlice(explanation.map, size, view).data) };
}

/** The explanation overlay of one slice (of a scan already cut along the wanted axis), computed once and kept in `explanations`. */
export async function explainResult(explanations: SliceExplanations, model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control?: RunControl): Promise<ExplainResult> {
  imageInput(model.manifest, VIEWER, model.manifestPath ?? model.onnxPath);
  const explanation = await explanations.of(model, scan, index, choice, control);
  const [, height, width] = scan.shape;
  return {
    method: explanation.method,
    classIndex: explanation.classIndex,
    label: model.manifest.labels[explanation.classIndex]!,
    heat: explanationHeat(explanation, { width, height }, model.manifest.input),
    mapSize: [explanation.map.width, explanation.map.height],
  };
}

export async function sliceProfile(model: LoadedModel, scan: Scan, axis: Axis, onProgress: (done: number, total: number) => void): Promise<ProfileResult> {
  imageInput(model.manifest, VIEWER, model.manifestPath ?? model.onnxPath);
  const row = await classifyVolume(model, scan, axis, { onProgress });
  return { axis, labels: [...row.labels], probabilities: row.slices.map((s) => [...s.probabilities]) };
}

import { verdict, type OodGuard } from '../../core/anomaly/oodGuard';
import { toRow } from '../../core/classify/classify';
import { classifyVolume } from '../../core/classify/classifyVolume';
import { explainInput, type Explanation } from '../../core/explain/explain';
import { minMaxNormalise } from '../../core/explain/upsample';
import type { Image2D } from '../../core/image';
import type { LoadedModel } from '../../core/model/loadModel';
import { runModel } from '../../core/model/runModel';
import { mapToSlice, type ModelView } from '../../core/preprocess/mapToSlice';
import { prepareInput } from '../../core/preprocess/prepareInput';
import { heatColours } from '../../core/render/heatColours';
import { encodePng } from '../../core/render/png';
import type { Scan } from '../../core/scan/scan';
import type { Axis, ClassifyResult, ExplainOptions, ExplainResult, OverlayOptions, ProfileResult } from '../../protocol/viewerMessages';
import { sliceAnomaly } from './sliceAnomaly';

/** Class probabilities of one slice (of a scan already cut along the wanted axis), and the guard's verdict on it when the model has one. */
export async function classifySlice(model: LoadedModel, scan: Scan, index: number, guard?: OodGuard): Promise<ClassifyResult> {
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

export async function explainSlice(model: LoadedModel, scan: Scan, index: number, overlay: ExplainOptions): Promise<Explanation> {
  const prepared = await prepareInput(scan, model.manifest, index);
  return explainInput(model, prepared.data, { method: overlay.method, classIndex: overlay.classIndex });
}

/**
 * The explanation map brought onto the slice as the model's input framed it,
 * normalised and coloured (transparent where the model did not see the
 * slice); the webview blends it at the chosen opacity, so changing opacity
 * costs no round trip.
 */
export function heatImage(explanation: Explanation, size: { width: number; height: number }, view: ModelView, colormapName: OverlayOptions['colormap']): Image2D {
  const heat = minMaxNormalise(mapToSlice(explanation.map, size, view).data);
  return heatColours(colormapName, { width: size.width, height: size.height, channels: 1, data: heat });
}

export async function explainResult(model: LoadedModel, scan: Scan, index: number, overlay: ExplainOptions): Promise<ExplainResult> {
  const explanation = await explainSlice(model, scan, index, overlay);
  const [, height, width] = scan.shape;
  const png = await encodePng(heatImage(explanation, { width, height }, model.manifest.input, overlay.colormap));
  return {
    method: explanation.method,
    classIndex: explanation.classIndex,
    label: model.manifest.labels[explanation.classIndex]!,
    png: `data:image/png;base64,${png.toString('base64')}`,
    mapSize: [explanation.map.width, explanation.map.height],
  };
}

export async function sliceProfile(model: LoadedModel, scan: Scan, axis: Axis, onProgress: (done: number, total: number) => void): Promise<ProfileResult> {
  const row = await classifyVolume(model, scan, axis, { onProgress });
  return { axis, labels: [...row.labels], probabilities: row.slices.map((s) => [...s.probabilities]) };
}

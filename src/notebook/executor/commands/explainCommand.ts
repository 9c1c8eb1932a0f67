import { ScanLensError, aboutFile } from '../../../core/errors';
import { explainInput, type Method } from '../../../core/explain/explain';
import type { Image2D } from '../../../core/image';
import type { LoadedModel } from '../../../core/model/loadModel';
import { toChannels } from '../../../core/preprocess/colour';
import { toUnitRange } from '../../../core/preprocess/intensity';
import { prepareInput } from '../../../core/preprocess/prepareInput';
import type { ColormapName } from '../../../core/render/colormaps';
import { explanationOverlay } from '../../../core/render/explanationOverlay';
import { encodePng } from '../../../core/render/png';
import { DEFAULT_LIMITS } from '../../../core/scan/limits';
import { loadScan } from '../../../core/scan/loadScan';
import { sliceImage } from '../../../core/scan/scan';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { displayOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandOf, CommandRunner } from '../commandContext';
import { displayPath, resolvePath } from '../resolveInputs';
import { parametersOf } from './parameters';

function classIndex(model: LoadedModel, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const { labels } = model.manifest;
  const byLabel = labels.indexOf(text);
  if (byLabel >= 0) return byLabel;
  if (/^\d+$/.test(text) && Number(text) < labels.length) return Number(text);
  throw new ScanLensError(`unknown class '${text}'; the model's classes are ${labels.map((l, i) => `${i}:${l}`).join(', ')}`);
}

/** `explain <file>`: a class-activation map blended over the scan, with the raw map in the payload. */
export const explainCommand: CommandRunner<CommandOf<'explain'>> = async ({ command, session }) => {
  const model = await session.model();
  const { options } = command;
  const method = (options.method ?? 'gradcam') as Method;
  const target = classIndex(model, options.class);
  const path = resolvePath(session.baseDir, command.args[0]!);
  const file = displayPath(session.baseDir, path);
  const { input } = model.manifest;
  let explanation;
  let base: Image2D;
  try {
    const scan = await loadScan(path, DEFAULT_LIMITS);
    const prepared = await prepareInput(scan, model.manifest, 0);
    explanation = await explainInput(model, prepared.data, { method, classIndex: target, layer: options.layer });
    // With fit=fill the map stretches over the whole scan; otherwise it belongs to the model's view.
    base = input.fit === 'fill' ? toUnitRange(sliceImage(scan, 0), scan, input.intensity) : prepared.modelImage;
    if (base.channels !== 1 && base.channels !== 3) base = toChannels(base, 1);
  } catch (error) {
    throw aboutFile(file, error);
  }
  const png = await encodePng(explanationOverlay(base, explanation.map, (options.colormap ?? 'jet') as ColormapName, options.alpha ?? 0.5));
  const label = model.manifest.labels[explanation.classIndex]!;
  const result: NotebookResult = {
    kind: 'explain',
    file,
    method: explanation.method,
    class: { index: explanation.classIndex, label },
    layer: explanation.layer?.tensor ?? null,
    labels: [...model.manifest.labels],
    probabilities: explanation.probabilities,
    map: { width: explanation.map.width, height: explanation.map.height, data: Array.from(explanation.map.data) },
  };
  const layer = explanation.layer ? `, layer ${explanation.layer.tensor}` : '';
  const text = `${file}: ${explanation.method} for ${label} (p ${explanation.probabilities[explanation.classIndex]!.toFixed(3)}${layer})`;
  return [displayOutput({ result, png, text }, provenance(command.text, parametersOf(command), model))];
};

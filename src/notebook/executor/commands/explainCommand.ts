import { aboutFile } from '../../../core/errors';
import { ExplainCancelled } from '../../../core/explain/perturbations';
import { terminalText } from '../../../core/text/escape';
import type { CamMethodName } from '../../../core/vocabulary/camMethods';
import { classIndexOf, explainJob, type ExplainJobResult } from '../../../core/jobs/explainJob';
import type { ColormapName } from '../../../core/render/colormaps';
import { explanationPng } from '../../../core/render/explanationOverlay';
import type { SliceAxis } from '../../../core/scan/reslice';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { displayOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandOf, CommandRunner } from '../commandContext';
import { parametersOf } from './parameters';
import { sliceText } from '../../../core/vocabulary/axes';

/**
 * `explain <file>`: a class-activation map blended over the scan (a volume:
 * one slice, axis= and slice=), with the raw map and the slice used in the
 * payload. The gradient-free methods (one run per channel or patch) report
 * their runs as the cell's progress and stop on the cell's cancel.
 */
export const explainCommand: CommandRunner<CommandOf<'explain'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const { options } = command;
  const method = (options.method ?? 'gradcam') as CamMethodName;
  const target = classIndexOf(model, options.class);
  const { path, file } = await session.readPath(command.args[0]!);
  let job: ExplainJobResult;
  try {
    const { smooth } = options;
    const eigenSmooth = smooth === 'eigen' || smooth === 'both';
    const augSmooth = smooth === 'aug' || smooth === 'both';
    job = await explainJob(model, path, {
      method,
      classIndex: target,
      layer: options.layer,
      eigenSmooth,
      augSmooth,
      axis: options.axis as SliceAxis | undefined,
      slice: options.slice,
      signal,
      onProgress: (done, total) => onProgress({ line: command.line, done, total, message: `${method}: ran ${done} of ${total}` }),
    });
  } catch (error) {
    // Cancelled: no output; the cell says it was cancelled during this line.
    if (error instanceof ExplainCancelled) return [];
    throw aboutFile(file, error);
  }
  const { explanation, base, slice } = job;
  const png = explanationPng(base, explanation.map, model.manifest.input, (options.colormap ?? 'jet') as ColormapName, options.alpha ?? 0.5);
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
    slice: { axis: slice.axis, index: slice.index, count: slice.count },
    view: { slice: { width: base.width, height: base.height }, input: { ...model.manifest.input.size }, fit: model.manifest.input.fit },
  };
  const layer = explanation.layer ? `, layer ${explanation.layer.tensor}` : '';
  const where = slice.axis === null ? '' : ` ${sliceText(slice)}`;
  const text = terminalText(`${file}${where}: ${explanation.method} for ${label} (p ${explanation.probabilities[explanation.classIndex]!.toFixed(3)}${layer})`);
  return [displayOutput({ result, png, text }, provenance(command.text, parametersOf(command), model))];
};

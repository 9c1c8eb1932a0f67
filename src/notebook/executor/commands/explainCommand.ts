import { aboutFile, oneLine } from '../../../core/errors';
import { ExplainCancelled } from '../../../core/explain/perturbations';
import { markdownText, terminalText } from '../../../core/text/escape';
import { scorecardCell, scorecardTable } from '../../../core/report/scorecardTable';
import { markdownTable, plainTable } from '../../outputs/markdownTable';
import { smoothingFlags, type CamMethodName, type CamSmoothing } from '../../../core/vocabulary/camMethods';
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
import { explainVolumeCell } from './explainVolumeCell';

/**
 * `explain <file>`: a class-activation map blended over the scan (a volume:
 * one slice, axis= and slice=), with the raw map and the slice used in the
 * payload; a 3D model's whole-volume map is explainVolumeCell's. The gradient-free methods (one run per channel or patch) report
 * their runs as the cell's progress and stop on the cell's cancel.
 */
export const explainCommand: CommandRunner<CommandOf<'explain'>> = async (context) => {
  const { command, session, signal, onProgress } = context;
  const model = await session.model();
  const { options } = command;
  const method = (options.method ?? 'gradcam') as CamMethodName;
  const target = classIndexOf(model, options.class);
  if (model.manifest.input.layout === 'NCDHW') return explainVolumeCell(context, model, method, target);
  const { path, file } = await session.readPath(command.args[0]!);
  // The mask is read inside the notebook's scope, like the scan.
  const mask = options.mask === undefined ? undefined : await session.readPath(options.mask);
  const score = options.score === 'true' || mask !== undefined;
  let job: ExplainJobResult;
  try {
    const { eigenSmooth, augSmooth } = smoothingFlags(options.smooth as CamSmoothing | undefined);
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
      score: score ? { mask: mask?.path, seed: options.seed, onProgress: (done, total) => onProgress({ line: command.line, done, total, message: `scorecard: ran ${done} of ${total}` }) } : undefined,
    });
  } catch (error) {
    // Cancelled: no output; the cell says it was cancelled during this line.
    if (error instanceof ExplainCancelled) return [];
    throw mask !== undefined && oneLine(error).startsWith(`${mask.path}: `) ? aboutFile(mask.file, error) : aboutFile(file, error);
  }
  const { explanation, base, slice, scorecard } = job;
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
    ...(scorecard ? { scorecard } : {}),
    ...(mask ? { maskFile: mask.file } : {}),
  };
  const layer = explanation.layer ? `, layer ${explanation.layer.tensor}` : '';
  const where = slice.axis === null ? '' : ` ${sliceText(slice)}`;
  const text = terminalText(`${file}${where}: ${explanation.method} for ${label} (p ${explanation.probabilities[explanation.classIndex]!.toFixed(3)}${layer})`);
  const made = provenance(command.text, parametersOf(command), model);
  const overlay = displayOutput({ result, png, text }, made);
  if (!scorecard) return [overlay];
  // Its own output: a viewer shows one representation per output, and markdown would hide the overlay.
  const table = scorecardTable(scorecard);
  const cells = { columns: table.columns, rows: table.rows.map((row) => row.map(scorecardCell)) };
  const title = terminalText(`${file}: scorecard of ${explanation.method} for ${label}`);
  return [
    overlay,
    displayOutput({ markdown: `**Scorecard** of ${markdownText(explanation.method)} for ${markdownText(label)}\n\n${markdownTable(cells)}`, text: `${title}\n${plainTable(cells)}` }, made),
  ];
};

import { aboutFile } from '../../../core/errors';
import { terminalText } from '../../../core/text/escape';
import type { Image2D } from '../../../core/image';
import { preprocessJob, type PreprocessJobResult } from '../../../core/jobs/preprocessJob';
import type { Stage } from '../../../core/model/manifest';
import { encodePng } from '../../../core/render/png';
import type { SliceAxis } from '../../../core/scan/reslice';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput, type NotebookOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandOf, CommandRunner } from '../commandContext';
import { parametersOf } from './parameters';
import { sliceText } from '../../../core/vocabulary/axes';

function stats(image: Image2D): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of image.data) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / image.data.length };
}

/**
 * `preprocess <file>`: each step of the model's own preprocessing as an image,
 * ending with its input, with value statistics in the payload; stages= shows
 * a gallery of stages instead.
 */
export const preprocessCommand: CommandRunner<CommandOf<'preprocess'>> = async ({ command, session }) => {
  const model = await session.model();
  const { options } = command;
  const { path, file } = await session.readPath(command.args[0]!);
  let job: PreprocessJobResult;
  try {
    job = await preprocessJob(model, path, { stages: options.stages as Stage[] | undefined, axis: options.axis as SliceAxis | undefined, slice: options.slice });
  } catch (error) {
    throw aboutFile(file, error);
  }
  const { steps, slice, pipeline } = job;
  const described = steps.map((s) => ({ name: s.name, width: s.image.width, height: s.image.height, channels: s.image.channels, ...stats(s.image) }));
  const result: NotebookResult = { kind: 'preprocess', file, stages: described, pipeline, slice: { axis: slice.axis, index: slice.index, count: slice.count } };
  const table = { columns: ['stage', 'size', 'min', 'max', 'mean'], rows: described.map((d) => [d.name, `${d.width}×${d.height}`, d.min, d.max, d.mean]) };
  const prov = provenance(command.text, parametersOf(command), model);
  const where = slice.axis === null ? '' : ` ${sliceText(slice)}`;
  const what = pipeline === 'model' ? `${model.manifest.name}'s pipeline` : 'stage gallery (not the model input)';
  const text = terminalText(`${file}${where}, ${what}: ${described.map((d) => d.name).join(' → ')}`);
  const outputs: NotebookOutput[] = [displayOutput({ result, markdown: markdownTable(table), text }, prov)];
  for (const [i, step] of steps.entries()) {
    outputs.push(displayOutput({ png: await encodePng(step.image), text: `${String(i).padStart(2, '0')}-${step.name}` }, prov));
  }
  return outputs;
};

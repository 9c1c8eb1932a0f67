import { aboutFile } from '../../../core/errors';
import type { Image2D } from '../../../core/image';
import { CLASSIC_PIPELINE } from '../../../core/preprocess/classicPipeline';
import { toChannels } from '../../../core/preprocess/colour';
import { unitSlice } from '../../../core/preprocess/intensity';
import { resizeImage } from '../../../core/preprocess/resize';
import { runStages } from '../../../core/preprocess/stages';
import { encodePng } from '../../../core/render/png';
import { DEFAULT_LIMITS } from '../../../core/scan/limits';
import { loadScan } from '../../../core/scan/loadScan';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput, type NotebookOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandOf, CommandRunner } from '../commandContext';
import { parametersOf } from './parameters';

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

/** `preprocess <file>`: each pipeline stage as an image, with value statistics in the payload. */
export const preprocessCommand: CommandRunner<CommandOf<'preprocess'>> = async ({ command, session }) => {
  const model = await session.model();
  const { input } = model.manifest;
  const stages = command.options.stages ?? (model.manifest.preprocessing.length > 0 ? model.manifest.preprocessing : [...CLASSIC_PIPELINE]);
  const { path, file } = await session.readPath(command.args[0]!);
  let steps: { name: string; image: Image2D }[];
  try {
    const scan = await loadScan(path, DEFAULT_LIMITS);
    const start = toChannels(unitSlice(scan, 0, input.intensity), 1);
    steps = [{ name: 'input', image: start }, ...runStages(start, stages).map((s) => ({ name: s.name, image: s.image }))];
  } catch (error) {
    throw aboutFile(file, error);
  }
  steps.push({ name: 'model-input', image: resizeImage(toChannels(steps.at(-1)!.image, input.channels), input.size, input.resize, input.fit) });
  const described = steps.map((s) => ({ name: s.name, width: s.image.width, height: s.image.height, channels: s.image.channels, ...stats(s.image) }));
  const result: NotebookResult = { kind: 'preprocess', file, stages: described };
  const table = { columns: ['stage', 'size', 'min', 'max', 'mean'], rows: described.map((d) => [d.name, `${d.width}×${d.height}`, d.min, d.max, d.mean]) };
  const prov = provenance(command.text, parametersOf(command), model);
  const outputs: NotebookOutput[] = [displayOutput({ result, markdown: markdownTable(table), text: `${file}: ${described.map((d) => d.name).join(' → ')}` }, prov)];
  for (const [i, step] of steps.entries()) {
    outputs.push(displayOutput({ png: await encodePng(step.image), text: `${String(i).padStart(2, '0')}-${step.name}` }, prov));
  }
  return outputs;
};

import { Command, Option } from 'commander';
import { join } from 'node:path';
import { ScanLensError } from '../core/errors';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { StageNameSchema, type Stage } from '../core/model/manifest';
import { toChannels } from '../core/preprocess/colour';
import { unitSlice } from '../core/preprocess/intensity';
import { resizeImage } from '../core/preprocess/resize';
import { CLASSIC_PIPELINE } from '../core/preprocess/classicPipeline';
import { runStages } from '../core/preprocess/stages';
import { encodePng } from '../core/render/png';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { loadScan } from '../core/scan/loadScan';
import { SCANLENS_VERSION } from '../core/version';
import { loadModelFromFlags, modelOption, type ModelFlags } from './modelOption';
import { printJson } from './output';

interface PreprocessFlags extends ModelFlags {
  readonly out: string;
  readonly stages?: string;
  readonly json?: boolean;
}

function parseStages(text: string): Stage[] {
  return text.split(',').map((name) => {
    const parsed = StageNameSchema.safeParse(name.trim());
    if (!parsed.success) throw new ScanLensError(`unknown stage '${name.trim()}'; stages are ${StageNameSchema.options.join(', ')}`);
    return parsed.data;
  });
}

async function run(file: string, flags: PreprocessFlags): Promise<void> {
  const model = await loadModelFromFlags(flags);
  const { input } = model.manifest;
  const stages = flags.stages ? parseStages(flags.stages) : model.manifest.preprocessing.length > 0 ? model.manifest.preprocessing : [...CLASSIC_PIPELINE];
  const scan = await loadScan(file, DEFAULT_LIMITS);
  const start = toChannels(unitSlice(scan, 0, input.intensity), 1);
  const steps = [{ name: 'input', image: start }, ...runStages(start, stages).map((s) => ({ name: s.name, image: s.image }))];
  const last = steps.at(-1)!.image;
  steps.push({ name: 'model-input', image: resizeImage(toChannels(last, input.channels), input.size, input.resize, input.fit) });
  const written: { stage: string; file: string }[] = [];
  for (const [i, step] of steps.entries()) {
    const target = join(flags.out, `${String(i).padStart(2, '0')}-${step.name}.png`);
    await writeFileAtomic(target, await encodePng(step.image));
    written.push({ stage: step.name, file: target });
  }
  if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, file, model: { name: model.manifest.name, sha256: model.sha256 }, stages: written });
  else for (const w of written) process.stdout.write(`${w.file}\n`);
}

export function preprocessCommand(): Command {
  return new Command('preprocess')
    .description('write one PNG per preprocessing stage, so each step can be seen')
    .argument('<file>', 'scan file')
    .requiredOption('-o, --out <dir>', 'folder for the stage images')
    .addOption(new Option('--stages <list>', `comma-separated stages (default: the model's, else ${CLASSIC_PIPELINE.join(',')})`))
    .addOption(modelOption)
    .option('--json', 'print one JSON document to stdout')
    .action(run);
}

import { Command, Option } from 'commander';
import { join } from 'node:path';
import { ScanLensError } from '../core/errors';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { preprocessJob, type PreprocessJobResult } from '../core/jobs/preprocessJob';
import { StageNameSchema, type Stage } from '../core/model/manifest';
import { CLASSIC_PIPELINE } from '../core/preprocess/classicPipeline';
import { encodePng } from '../core/render/png';
import type { SliceAxis } from '../core/scan/reslice';
import { SCANLENS_VERSION } from '../core/version';
import { errorAbout, givenPath } from './givenPath';
import { loadModelFromFlags, modelOption, type ModelFlags } from './modelOption';
import { EXIT, printError, printJson, printLine } from './output';
import { axisOption, sliceOption } from './sliceOptions';
import { sliceText } from '../core/vocabulary/axes';

interface PreprocessFlags extends Omit<ModelFlags, 'model'> {
  /** A path, or false for --no-model. */
  readonly model?: string | false;
  readonly out: string;
  /** true for a bare --stages (the classic six). */
  readonly stages?: string | true;
  readonly axis?: SliceAxis;
  readonly slice?: number;
  readonly json?: boolean;
}

/** A comma-separated stage list; 'classic' stands for the classic six. */
function parseStages(text: string): Stage[] {
  return text.split(',').flatMap((name): Stage[] => {
    const trimmed = name.trim();
    if (trimmed === 'classic') return [...CLASSIC_PIPELINE];
    const parsed = StageNameSchema.safeParse(trimmed);
    if (!parsed.success) throw new ScanLensError(`unknown stage '${trimmed}'; stages are ${StageNameSchema.options.join(', ')} (or classic)`);
    return [parsed.data];
  });
}

function describe(job: PreprocessJobResult, modelName: string | undefined): string {
  const where = job.slice.axis === null ? '' : `  ${sliceText(job.slice)}`;
  const what = job.pipeline === 'model' ? `the pipeline of ${modelName}` : 'a stage gallery (not the model input)';
  return `${where}  ${what}: ${job.steps.map((s) => s.name).join(' → ')}`;
}

async function run(input: string, flags: PreprocessFlags): Promise<number> {
  const model = flags.model === false ? undefined : await loadModelFromFlags({ ...flags, model: flags.model });
  const stages = flags.stages === undefined ? undefined : flags.stages === true ? [...CLASSIC_PIPELINE] : parseStages(flags.stages);
  const file = givenPath(input);
  let job: PreprocessJobResult;
  try {
    job = await preprocessJob(model, file.path, { stages, axis: flags.axis, slice: flags.slice, load: { blockingRead: true } });
  } catch (error) {
    const message = errorAbout(file, error);
    printError(message);
    if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, file: input, error: message });
    return EXIT.someFailed;
  }
  const written: { stage: string; file: string }[] = [];
  for (const [i, step] of job.steps.entries()) {
    const target = join(flags.out, `${String(i).padStart(2, '0')}-${step.name}.png`);
    await writeFileAtomic(target, await encodePng(step.image));
    written.push({ stage: step.name, file: target });
  }
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      file: input,
      model: model ? { name: model.manifest.name, sha256: model.sha256 } : null,
      pipeline: job.pipeline,
      slice: { axis: job.slice.axis, index: job.slice.index, count: job.slice.count },
      stages: written,
      ...(job.modelInput ? { modelInput: { dims: job.modelInput.dims } } : {}),
    });
  } else {
    printLine(`${input}${describe(job, model?.manifest.name)}`);
    for (const w of written) printLine(w.file);
  }
  return EXIT.ok;
}

export function preprocessCommand(): Command {
  return new Command('preprocess')
    .description('write one PNG per preprocessing step the model runs, ending with its input (or, with --stages, a gallery of stages)')
    .argument('<file>', 'scan file')
    .requiredOption('-o, --out <dir>', 'folder for the stage images')
    .addOption(new Option('--stages [list]', `a gallery of these comma-separated stages instead of the model's pipeline; bare, or 'classic': ${CLASSIC_PIPELINE.join(',')}`))
    .addOption(modelOption)
    .option('--no-model', 'no model: the classic gallery, intensities scaled to [0,1] by the stored type')
    .addOption(axisOption)
    .addOption(sliceOption)
    .option('--json', 'print one JSON document to stdout')
    .action(async (file: string, flags: PreprocessFlags) => {
      process.exitCode = await run(file, flags);
    });
}

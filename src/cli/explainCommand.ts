import { Command, Option } from 'commander';
import { CAM_METHODS, type CamMethodName } from '../core/vocabulary/camMethods';
import { resolveTargetLayer } from '../core/explain/explainSessions';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { classIndexOf, explainJob, type ExplainJobResult } from '../core/jobs/explainJob';
import { COLORMAPS, type ColormapName } from '../core/render/colormaps';
import { explanationPng } from '../core/render/explanationOverlay';
import type { SliceAxis } from '../core/scan/reslice';
import { SCANLENS_VERSION } from '../core/version';
import { ExplainCancelled } from '../core/explain/perturbations';
import { CAM_REGISTRY } from '../core/explain/methods/registry';
import { checkEigenSmooth } from '../core/explain/methods/eigenSmooth';
import { progressReporter } from './progress';
import { runExplain } from './explainRun';
import { explainVolumeCommand } from './explainVolume';
import { loadModelFromFlags, modelOption, modelSummary, providerOption, threadsOption, type ModelFlags } from './modelOption';
import { errorAbout, givenPath } from './givenPath';
import { EXIT, printError, printJson, printLine } from './output';
import { axisOption, sliceOption } from './sliceOptions';
import { sliceText } from '../core/vocabulary/axes';
import { oneLine } from '../core/errors';
import { scorecardText } from '../core/report/scorecardTable';

export interface ExplainFlags extends ModelFlags {
  readonly method: CamMethodName;
  readonly class?: string;
  readonly layer?: string;
  readonly axis?: SliceAxis;
  readonly slice?: number;
  readonly out?: string;
  readonly colormap: ColormapName;
  readonly alpha: number;
  readonly json?: boolean;
  readonly eigenSmooth?: boolean;
  readonly augSmooth?: boolean;
  readonly score?: boolean;
  readonly mask?: string;
  readonly scoreSeed?: number;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`seed must be a whole number, got '${value}'`);
  return Number(value);
}

function parseAlpha(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new Error(`alpha must be between 0 and 1, got '${value}'`);
  return n;
}

async function run(input: string, flags: ExplainFlags): Promise<number> {
  const model = await loadModelFromFlags(flags);
  const classIndex = classIndexOf(model, flags.class);
  // A wrong layer name is a usage mistake (exit 1), found before any scan is read.
  if (flags.method !== 'occlusion') await resolveTargetLayer(model, flags.layer);
  if (flags.eigenSmooth) checkEigenSmooth(flags.method, CAM_REGISTRY[flags.method]);
  if (model.manifest.input.layout === 'NCDHW') return explainVolumeCommand(model, input, flags, classIndex);
  const file = givenPath(input);
  const mask = flags.mask === undefined ? undefined : givenPath(flags.mask);
  const score = flags.score || mask !== undefined;
  let job: ExplainJobResult;
  try {
    job = await runExplain(flags, classIndex, (options) =>
      explainJob(model, file.path, {
        ...options,
        axis: flags.axis,
        slice: flags.slice,
        // The scorecard's runs (its perturbed copies, then one per randomised layer) report on stderr too.
        score: score ? { mask: mask?.path, seed: flags.scoreSeed, onProgress: progressReporter('scorecard') } : undefined,
      }),
    );
  } catch (error) {
    const aboutMask = mask !== undefined && oneLine(error).startsWith(`${mask.path}: `);
    const message = error instanceof ExplainCancelled ? `${input}: cancelled` : errorAbout(aboutMask ? mask : file, error);
    printError(message);
    if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, model: modelSummary(model), file: input, error: message });
    return EXIT.someFailed;
  }
  const { explanation: result, base, slice, scorecard } = job;
  if (flags.out) await writeFileAtomic(flags.out, explanationPng(base, result.map, model.manifest.input, flags.colormap, flags.alpha));
  const label = model.manifest.labels[result.classIndex]!;
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      model: modelSummary(model),
      file: input,
      slice: { axis: slice.axis, index: slice.index, count: slice.count },
      method: result.method,
      ...(flags.eigenSmooth || flags.augSmooth ? { smooth: { eigen: flags.eigenSmooth === true, aug: flags.augSmooth === true } } : {}),
      class: { index: result.classIndex, label },
      layer: result.layer ? { tensor: result.layer.tensor, source: result.layer.source } : null,
      labels: model.manifest.labels,
      probabilities: result.probabilities,
      map: { width: result.map.width, height: result.map.height, data: Array.from(result.map.data) },
      ...(flags.out ? { overlay: flags.out } : {}),
      ...(result.notes.length > 0 ? { notes: result.notes } : {}),
      ...(scorecard ? { scorecard } : {}),
      ...(mask ? { maskFile: mask.given } : {}),
    });
  } else {
    const layer = result.layer ? `  layer ${result.layer.tensor} (${result.layer.source})` : '';
    const p = result.probabilities[result.classIndex]!;
    const where = sliceText(slice);
    const smooth = `${flags.eigenSmooth ? ' eigen_smooth' : ''}${flags.augSmooth ? ' aug_smooth' : ''}`;
    printLine(`${input}${where ? `  ${where}` : ''}  ${result.method}${smooth}  ${label} ${p.toFixed(3)}${layer}${flags.out ? `  → ${flags.out}` : ''}`);
    if (scorecard) for (const line of scorecardText(scorecard).split('\n')) printLine(line);
  }
  return EXIT.ok;
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('explain a classification with a class-activation map (Grad-CAM family, EigenCAM, Score-CAM, AblationCAM, occlusion)')
    .argument('<file>', 'scan file (for a 3D model: a volume, or a folder holding a DICOM series)')
    .addOption(modelOption)
    .addOption(threadsOption)
    .addOption(providerOption)
    .addOption(new Option('--method <name>', 'explanation method').choices([...CAM_METHODS]).default('gradcam'))
    .option('--class <label|index>', 'class to explain (default: the top class)')
    .option('--layer <tensor>', "target tensor (default: the manifest's explain.targetLayer, else chosen automatically)")
    .option('--eigen-smooth', "pytorch-grad-cam's eigen_smooth: the first principal component of the method's terms instead of their sum (gradient methods)")
    .option('--aug-smooth', "pytorch-grad-cam's aug_smooth: the mean map over the input flipped left-right and scaled by 0.9/1/1.1 (six runs; the map at the model's input size)")
    .addOption(axisOption)
    .addOption(sliceOption)
    .option('--out <file>', "write the map blended over the scan as PNG; for a 3D model .png is the peak's axial, coronal and sagittal slices, .nii/.nii.gz the map on the scan's voxels")
    .addOption(new Option('--colormap <name>', 'overlay colormap').choices([...COLORMAPS]).default('jet'))
    .addOption(new Option('--alpha <a>', 'overlay opacity, 0…1').default(0.5).argParser(parseAlpha))
    .option('--score', 'also score the explanation: confidence drop/increase, deletion/insertion AUC, ROAD, the randomisation sanity check (a few seconds on the demo model)')
    .option('--mask <file>', "with --score: pointing game and relevance mass against this mask (PNG, or NIfTI on the scan's grid; non-zero is inside); implies --score")
    .addOption(new Option('--score-seed <n>', "seed of the randomisation check's re-initialised weights").default(42).argParser(parseSeed))
    .option('--json', 'print one JSON document to stdout')
    .action(async (file: string, flags: ExplainFlags) => {
      process.exitCode = await run(file, flags);
    });
}

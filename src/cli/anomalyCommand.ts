import { Command, Option } from 'commander';
import { basename, extname, join } from 'node:path';
import { METHODS, type Method } from '../core/anomaly/detector';
import { ScanLensError, aboutFile, oneLine } from '../core/errors';
import { writeFileAtomic } from '../core/io/atomicWrite';
import {
  addToDetector,
  evaluateAnomalies,
  fitAnomalyDetector,
  isScored,
  openAnomalyScorer,
  rethresholdDetector,
  scoreAnomalies,
  summarize,
  type AnomalyRow,
  type PixelEvaluation,
} from '../core/jobs/anomalyJob';
import { getModel } from '../core/model/modelCache';
import type { SliceAxis } from '../core/scan/reslice';
import type { SliceChoice } from '../core/scan/sliceChoice';
import { writeScanNifti } from '../core/scan/niftiWriter';
import { SCANLENS_VERSION } from '../core/version';
import { expandInputs } from './expandInputs';
import { sliceText } from '../core/vocabulary/axes';
import { modelOptions, parsePositiveInt, providerOption, threadsOption } from './modelOption';
import { EXIT, printError, printJson, printLine } from './output';
import { anomalyBackbonePath } from './paths';
import { progressReporter } from './progress';
import { axisOption, sliceOption } from './sliceOptions';

interface FitFlags {
  readonly out: string;
  readonly backbone?: string;
  readonly method: Method;
  readonly layers?: string;
  readonly channels?: number;
  readonly grid?: string;
  readonly neighbourhood?: number;
  readonly coreset?: number;
  readonly seed: number;
  readonly percentile: number;
  readonly sigma?: number;
  readonly bankSize?: number;
  readonly threads?: number;
  readonly provider: string;
  readonly json?: boolean;
}

interface ScoreFlags {
  readonly detector: string;
  readonly backbone?: string;
  readonly threshold?: number;
  readonly maps?: string;
  readonly axis?: SliceAxis;
  readonly slice?: number;
  readonly volume?: boolean;
  readonly out?: string;
  readonly threads?: number;
  readonly provider: string;
  readonly json?: boolean;
}

interface EvalFlags extends ScoreFlags {
  readonly bins: number;
  readonly masks?: string;
}

interface ThresholdFlags {
  readonly normal: string;
  readonly anomalous?: string;
  readonly fpr?: number;
  readonly f1?: boolean;
  readonly axis?: SliceAxis;
  readonly slice?: number;
  readonly json?: boolean;
}

async function thresholdCommand(detectorPath: string, flags: ThresholdFlags): Promise<number> {
  if ((flags.fpr === undefined) === !flags.f1) throw new ScanLensError('anomaly threshold needs one rule: --fpr F (the share of normal scans it may flag) or --f1 (with --anomalous DIR)');
  if (flags.f1 && !flags.anomalous) throw new ScanLensError('--f1 needs anomalous scans (--anomalous DIR) to weigh misses against false alarms');
  const progress = { normal: progressReporter('normal'), anomalous: progressReporter('anomalous') };
  const outcome = await rethresholdDetector(
    detectorPath,
    await expandInputs([flags.normal]),
    flags.anomalous ? await expandInputs([flags.anomalous]) : { files: [] },
    flags.fpr !== undefined ? { rule: 'fpr', fpr: flags.fpr } : { rule: 'f1' },
    { axis: flags.axis, slice: flags.slice, onProgress: (set, done, total) => progress[set](done, total) },
  );
  for (const row of [...outcome.normal, ...outcome.anomalous]) if ('error' in row) printError(row.error);
  const { value, chosen } = outcome.threshold;
  if (flags.json) {
    printJson({ scanlens: { version: SCANLENS_VERSION }, detector: outcome.manifestPath, previous: outcome.previous, threshold: outcome.threshold, summary: outcome.summary });
  } else {
    const how =
      chosen!.rule === 'fpr'
        ? `at most ${(chosen!.fpr! * 100).toFixed(1)} % of ${chosen!.normal} normal scans flagged`
        : `best F1 on ${chosen!.normal} normal and ${chosen!.anomalous} anomalous scans`;
    const gives = [
      `normals flagged ${(chosen!.falsePositiveRate * 100).toFixed(1)} %`,
      ...(chosen!.recall !== undefined ? [`anomalous flagged ${(chosen!.recall * 100).toFixed(1)} %`, `F1 ${chosen!.f1!.toFixed(4)}`] : []),
    ];
    printLine(`threshold ${outcome.previous.toFixed(4)} -> ${value.toFixed(4)} (${how}): ${gives.join(', ')}`);
    printLine(`wrote ${outcome.manifestPath}`);
  }
  return outcome.summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
}

interface AddFlags {
  readonly backbone?: string;
  readonly bankSize?: number;
  readonly threads?: number;
  readonly provider: string;
  readonly json?: boolean;
}

async function addCommand(detectorPath: string, inputs: string[], flags: AddFlags): Promise<number> {
  const progress = progressReporter('add');
  const outcome = await addToDetector(detectorPath, await expandInputs(inputs), {
    ...modelOptions(flags),
    backbone: flags.backbone,
    bankSize: flags.bankSize,
    onProgress: (done, total) => progress(done - 1, total),
  });
  for (const row of outcome.failed) printError(row.error);
  const { manifest, previous } = outcome;
  if (flags.json) {
    const { manifestPath, added, calibrationScores, failed, summary } = outcome;
    printJson({ scanlens: { version: SCANLENS_VERSION }, detector: manifestPath, added, previous, manifest, calibrationScores, failed, summary });
  } else {
    const { threshold } = manifest;
    printLine(
      `${outcome.manifestPath}: ${manifest.method} on ${manifest.training.images} normal scans (${previous.images} + ${outcome.added} added); ` +
        `threshold ${previous.threshold.value.toFixed(4)} -> ${threshold.value.toFixed(4)} = p${threshold.percentile} of ${threshold.calibration.images} held-out normals${outcome.failed.length ? `; ${outcome.failed.length} file(s) failed` : ''}`,
    );
    if (previous.threshold.chosen) printLine(`the threshold anomaly threshold chose (${previous.threshold.chosen.rule}) was replaced: choose it again on held-out scans`);
  }
  return outcome.summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
}

function parseNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(n >= min && n <= max)) throw new Error(`expected a number from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

function parseGrid(text: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  const [width, height] = [Number(match?.[1]), Number(match?.[2])];
  if (!match || width < 1 || height < 1 || width > 256 || height > 256) throw new ScanLensError(`--grid must look like 16x16 (each side 1…256), got '${text}'`);
  return { width, height };
}

async function fit(folder: string, flags: FitFlags): Promise<number> {
  const backbonePath = flags.backbone ?? anomalyBackbonePath();
  const backbone = await getModel(backbonePath, modelOptions(flags));
  const { files, missing } = await expandInputs([folder]);
  if (missing.length > 0) throw new ScanLensError('no such folder', folder);
  const progress = progressReporter('fit');
  const fitted = await fitAnomalyDetector(files, {
    method: flags.method,
    backbone,
    layers: flags.layers?.split(',').map((s) => s.trim()),
    channels: flags.channels,
    grid: flags.grid ? parseGrid(flags.grid) : undefined,
    neighbourhood: flags.neighbourhood,
    coreset: flags.coreset,
    seed: flags.seed,
    percentile: flags.percentile,
    sigma: flags.sigma,
    bankSize: flags.bankSize,
    threads: flags.threads,
    onProgress: (done, total) => progress(done - 1, total),
  });
  const manifest = await fitted.save(flags.out);
  for (const row of fitted.failed) printError(row.error);
  if (flags.json) {
    printJson({ scanlens: { version: SCANLENS_VERSION }, detector: flags.out, manifest, calibrationScores: fitted.calibrationScores, failed: fitted.failed });
  } else {
    printLine(
      `${flags.out}: ${manifest.method} on ${manifest.training.images} normal scans (${manifest.features.channels.length} channels of ${manifest.features.layers.join(' + ')}, ${manifest.features.grid.width}×${manifest.features.grid.height} grid); ` +
        `threshold ${manifest.threshold.value.toFixed(4)} = p${manifest.threshold.percentile} of ${manifest.threshold.calibration.images} held-out normals${fitted.failed.length ? `; ${fitted.failed.length} file(s) failed` : ''}`,
    );
  }
  return fitted.failed.length > 0 ? EXIT.someFailed : EXIT.ok;
}

const NIFTI = /\.nii(\.gz)?$/i;

/** A row as the command line reports it: the job's row (the slice scored included), its map picture written to --maps and named by path. */
type Row =
  { file: string; score: number; label: 'normal' | 'anomalous'; threshold: number; slice: SliceChoice; profile?: readonly number[]; map?: string; nifti?: string } | { file: string; error: string };

/**
 * The map picture's name in the --maps folder: `<name>-anomaly.png` for an
 * image, `<name>-<axis>-<index>-anomaly.png` for a volume's slice (so the
 * picture says which slice it shows), `.nii.gz` counted as one extension.
 */
function mapName(file: string, slice: SliceChoice): string {
  const name = basename(file);
  const stem = /\.nii\.gz$/i.test(name) ? name.slice(0, -'.nii.gz'.length) : basename(name, extname(name));
  return `${stem}${slice.axis === null ? '' : `-${slice.axis}-${slice.index}`}-anomaly.png`;
}

/** Writes a row's map picture (mapName) in the --maps folder, and its volume's 3D map to --out when asked. */
async function present(row: AnomalyRow, maps: string | undefined, out?: string): Promise<Row> {
  if (!isScored(row)) return { file: row.file, error: row.error };
  const { mapPng, volumeMap, sliceMap: _values, ...scored } = row;
  if (out !== undefined) {
    if (!volumeMap) return { file: row.file, error: `${row.file}: is a single 2D image: --out writes the 3D map of a volume` };
    try {
      await writeScanNifti(out, volumeMap, volumeMap.voxels as Float32Array, 'ScanLens anomaly map');
    } catch (error) {
      return { file: row.file, error: oneLine(aboutFile(out, error)) };
    }
  }
  const written = out !== undefined ? { nifti: out } : {};
  if (!maps || !mapPng) return { ...scored, ...written };
  const map = join(maps, mapName(row.file, row.slice));
  await writeFileAtomic(map, mapPng);
  return { ...scored, map, ...written };
}

/** `file  [axial slice 3 of 4  ]score  verdict[  → map]`: a volume's row says which slice it scored. */
function formatRow(row: Row): string {
  if ('error' in row) return `${row.file}  ERROR  ${row.error}`;
  const where = row.profile && row.slice.axis ? `${row.slice.count} ${row.slice.axis} slices, highest at slice ${row.slice.index}` : sliceText(row.slice);
  return `${row.file}  ${where ? `${where}  ` : ''}${row.score.toFixed(4)}  ${row.label}${row.map ? `  → ${row.map}` : ''}${row.nifti ? `  → ${row.nifti}` : ''}`;
}

function openFor(flags: ScoreFlags): ReturnType<typeof openAnomalyScorer> {
  return openAnomalyScorer(flags.detector, { ...modelOptions(flags), threshold: flags.threshold, backbone: flags.backbone });
}

async function score(inputs: string[], flags: ScoreFlags): Promise<number> {
  const detector = await openFor(flags);
  const progress = progressReporter('score');
  const rows: Row[] = [];
  if (flags.volume && flags.slice !== undefined) throw new ScanLensError('--volume scores every slice; leave out --slice');
  if (flags.out !== undefined && !flags.volume) throw new ScanLensError('--out writes the 3D map of a volume scored whole: add --volume');
  if (flags.out !== undefined && !NIFTI.test(flags.out)) throw new ScanLensError(`${flags.out}: --out writes the volume's 3D anomaly map as .nii or .nii.gz`);
  const found = await expandInputs(inputs);
  if (flags.out !== undefined && found.files.length + found.missing.length !== 1)
    throw new ScanLensError(`--out writes one volume's map: give one volume, not ${found.files.length + found.missing.length} scans`);
  const options = {
    threshold: flags.threshold,
    maps: flags.maps !== undefined,
    axis: flags.axis,
    slice: flags.slice,
    wholeVolume: flags.volume,
    volumeMaps: flags.out !== undefined,
    onProgress: progress,
  };
  for await (const row of scoreAnomalies(detector, found, options)) rows.push(await present(row, flags.maps, flags.out));
  for (const row of rows) if ('error' in row) printError(row.error);
  const summary = summarize(rows);
  if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, detector: detector.summary(), results: rows, summary });
  else for (const row of rows) printLine(formatRow(row));
  return summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
}

async function evalCommand(normalDir: string, anomalousDir: string, flags: EvalFlags): Promise<number> {
  const detector = await openFor(flags);
  const progress = { normal: progressReporter('normal'), anomalous: progressReporter('anomalous') };
  const results: { normal: Row[]; anomalous: Row[] } = { normal: [], anomalous: [] };
  const evaluation = await evaluateAnomalies(detector, await expandInputs([normalDir]), await expandInputs([anomalousDir]), {
    threshold: flags.threshold,
    bins: flags.bins,
    masks: flags.masks,
    maps: flags.maps !== undefined,
    axis: flags.axis,
    slice: flags.slice,
    onProgress: (set, done, total) => progress[set](done, total),
    onRow: async (row, set) => void results[set].push(await present(row, flags.maps)),
  });
  for (const row of [...results.normal, ...results.anomalous]) if ('error' in row) printError(row.error);
  const { threshold, metrics, roc, summary, pixel } = evaluation;
  for (const row of pixel?.failed ?? []) printError(row.error);
  if (flags.json) {
    printJson({ scanlens: { version: SCANLENS_VERSION }, detector: detector.summary(), threshold, metrics, roc, ...(pixel ? { pixel } : {}), results, summary });
  } else {
    const at = metrics.atThreshold;
    const best = metrics.bestF1;
    process.stdout.write(
      [
        `${metrics.normal} normal, ${metrics.anomalous} anomalous scans${summary.failed ? ` (${summary.failed} failed)` : ''}`,
        `AUROC ${metrics.auroc.toFixed(4)}  AUPR ${metrics.aupr.toFixed(4)}`,
        `at threshold ${threshold.toFixed(4)}: F1 ${at.f1.toFixed(4)} (precision ${at.precision.toFixed(4)}, recall ${at.recall.toFixed(4)})`,
        `best F1 ${best.f1.toFixed(4)} at threshold ${best.threshold.toFixed(4)}`,
        'score histogram (bin start: normal / anomalous):',
        ...metrics.histogram.normal.map(
          (count, i) => `  ${metrics.histogram.edges[i]!.toFixed(3).padStart(9)}  ${'#'.repeat(count)}${' '.repeat(Math.max(1, 12 - count))}/ ${'#'.repeat(metrics.histogram.anomalous[i]!)}`,
        ),
        ...(pixel ? pixelLines(pixel) : []),
      ].join('\n') + '\n',
    );
  }
  return summary.failed > 0 || (pixel?.failed.length ?? 0) > 0 ? EXIT.someFailed : EXIT.ok;
}

/** The pixel-level lines of `anomaly eval --masks`: what was compared, then the metrics (or why there are none). */
function pixelLines(pixel: PixelEvaluation): string[] {
  const { metrics: m, masked, unmasked } = pixel;
  const metric = (name: string, value: number | null): string => `${name} ${value === null ? '—' : value.toFixed(4)}`;
  return [
    `pixels: ${m.images} scans (${masked} with a mask), ${m.anomalousPixels} of ${m.pixels} pixels anomalous in ${m.regions} regions`,
    `${metric('pixel AUROC', m.auroc)}  ${metric(`AUPRO (FPR ≤ ${m.fprLimit})`, m.aupro)}${m.auroc === null ? ' (needs both anomalous and normal pixels)' : ''}`,
    ...(unmasked.length > 0 ? [`${unmasked.length} anomalous scan(s) without a mask left out of the pixel metrics`] : []),
  ];
}

const detectorOption = new Option('--detector <folder>', 'detector folder (or its detector.json), an anomalib ONNX export, or a reconstruction model').makeOptionMandatory();
const backboneOption = new Option('--backbone <model>', "the detector's backbone, when it has moved from the path the detector records (its sha256 must match)");
const thresholdOption = new Option('--threshold <t>', "override the detector's threshold (sensitivity: lower flags more)").argParser(parseNumber(-Infinity, Infinity));
const mapsHelp = 'write anomaly-map overlays over the slice scored of each scan as PNG (threshold at mid-colour)';

export function anomalyCommand(): Command {
  const fitCommand = new Command('fit')
    .description('fit an anomaly detector on a folder of normal scans (every fifth scan is held out to set the threshold)')
    .argument('<normal dir>', 'folder of normal scans')
    .requiredOption('--out <folder>', 'where to write the detector (detector.json + .npy arrays)')
    .option('--backbone <model>', 'backbone model: manifest, .onnx or folder (default: the bundled brain-ssl-backbone)')
    .addOption(new Option('--method <name>', 'detector').choices([...METHODS]).default('padim'))
    .option('--layers <a,b>', 'backbone tensors to take features from (default: two feature maps of different depth)')
    .addOption(new Option('--channels <n>', 'random channel subset size (default: 32 for PaDiM, all for PatchCore)').argParser(parsePositiveInt))
    .option('--grid <WxH>', "feature grid (default: the deepest layer's size for PaDiM, the shallowest's for PatchCore)")
    .addOption(new Option('--neighbourhood <p>', 'average each feature map over p×p positions first (odd; default: 1 for PaDiM, 3 for PatchCore)').argParser(parsePositiveInt))
    .addOption(new Option('--coreset <f>', 'PatchCore memory bank as this fraction of all training patches (default 0.01)').argParser(parseNumber(0, 0.5)))
    .addOption(new Option('--seed <n>', 'seed for channel and coreset choices').default(0).argParser(parseNumber(0, 2 ** 31)))
    .addOption(new Option('--percentile <p>', 'threshold = this percentile of held-out normal scores').default(95).argParser(parseNumber(0, 100)))
    .addOption(new Option('--sigma <s>', 'Gaussian smoothing of the anomaly map, pixels (0: none)').argParser(parseNumber(0, 64)))
    .addOption(new Option('--bank-size <n>', 'PatchCore memory bank size (instead of --coreset)').argParser(parsePositiveInt))
    .addOption(threadsOption)
    .addOption(providerOption)
    .option('--json', 'print one JSON document to stdout')
    .action(async (folder: string, flags: FitFlags) => {
      process.exitCode = await fit(folder, flags);
    });
  const scoreCommand = new Command('score')
    .description('score scans against a detector: score, normal/anomalous label, threshold, and which slice (a volume: its middle axial slice unless --axis/--slice say)')
    .argument('<file|dir...>', 'scans or folders')
    .addOption(detectorOption)
    .addOption(backboneOption)
    .addOption(thresholdOption)
    .addOption(axisOption)
    .addOption(sliceOption)
    .option('--volume', "a volume: score every slice along --axis; its score is the highest slice score (the map shows that slice), and the row carries every slice's score (profile)")
    .option('--maps <dir>', mapsHelp)
    .option(
      '--out <map.nii.gz>',
      "with --volume and one volume: its 3D anomaly map on the volume's own voxels (each slice's map along --axis, in the detector's map units; NaN where the detector did not see), aligned with it",
    )
    .addOption(threadsOption)
    .addOption(providerOption)
    .option('--json', 'print one JSON document to stdout')
    .action(async (inputs: string[], flags: ScoreFlags) => {
      process.exitCode = await score(inputs, flags);
    });
  const evalSub = new Command('eval')
    .description('AUROC, AUPR, F1 at the threshold, F1-optimal threshold and score histograms on a labelled pair of folders; with --masks, pixel AUROC and AUPRO')
    .argument('<normal dir>', 'folder of normal scans')
    .argument('<anomalous dir>', 'folder of anomalous scans')
    .addOption(detectorOption)
    .addOption(backboneOption)
    .addOption(thresholdOption)
    .addOption(new Option('--bins <n>', 'histogram bins').default(10).argParser(parsePositiveInt))
    .option('--masks <dir>', "ground-truth masks (PNG, NIfTI… on the scans' grids) named as their scans (or <name>_mask): adds pixel AUROC and AUPRO")
    .addOption(axisOption)
    .addOption(sliceOption)
    .option('--maps <dir>', mapsHelp)
    .addOption(threadsOption)
    .addOption(providerOption)
    .option('--json', 'print one JSON document to stdout')
    .action(async (normalDir: string, anomalousDir: string, flags: EvalFlags) => {
      process.exitCode = await evalCommand(normalDir, anomalousDir, flags);
    });
  const thresholdSub = new Command('threshold')
    .description("choose a fitted detector's threshold from held-out scans and store it in the detector, with how it was chosen")
    .argument('<detector>', 'detector folder (or its detector.json) made by anomaly fit')
    .requiredOption('--normal <dir>', 'held-out normal scans (not the ones the detector was fitted on)')
    .option('--anomalous <dir>', 'anomalous scans (needed by --f1; with --fpr, reported only)')
    .addOption(new Option('--fpr <f>', 'the share of normal scans the threshold may flag, from 0 to 1').argParser(parseNumber(0, 1)))
    .option('--f1', 'the threshold with the best F1 on the normal and anomalous scans')
    .addOption(axisOption)
    .addOption(sliceOption)
    .option('--json', 'print one JSON document to stdout')
    .action(async (detectorPath: string, flags: ThresholdFlags) => {
      process.exitCode = await thresholdCommand(detectorPath, flags);
    });
  const addSub = new Command('add')
    .description(
      'fold new normal scans into a fitted detector (every fifth held out to set the threshold again, as fit does): PaDiM exactly as a refit on all of them, PatchCore by re-condensing its memory bank',
    )
    .argument('<detector>', 'detector folder (or its detector.json) made by anomaly fit')
    .argument('<file|dir...>', 'normal scans or folders')
    .addOption(backboneOption)
    .addOption(new Option('--bank-size <n>', "PatchCore memory bank size after adding (default: the bank's size now)").argParser(parsePositiveInt))
    .addOption(threadsOption)
    .addOption(providerOption)
    .option('--json', 'print one JSON document to stdout')
    .action(async (detectorPath: string, inputs: string[], flags: AddFlags) => {
      process.exitCode = await addCommand(detectorPath, inputs, flags);
    });
  for (const sub of [fitCommand, addSub, scoreCommand, evalSub, thresholdSub]) sub.exitOverride();
  return new Command('anomaly')
    .description('anomaly detection: fit a detector on normal scans, add normal scans to it, score scans, evaluate on labelled folders, choose its threshold')
    .addCommand(fitCommand)
    .addCommand(addSub)
    .addCommand(scoreCommand)
    .addCommand(evalSub)
    .addCommand(thresholdSub);
}

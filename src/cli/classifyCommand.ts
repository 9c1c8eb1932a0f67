import { Command, Option } from 'commander';
import { POOL_THRESHOLD, classifyFiles, type ClassifyRow } from '../core/classify/classify';
import { rowGuard } from '../core/classify/guardRows';
import { guardFor, hasGuard, type OodGuard } from '../core/anomaly/oodGuard';
import { defaultWorkers } from '../core/classify/preparePool';
import { getModel } from '../core/model/modelCache';
import { classifyVolume, type ClassPeak, type VolumeRow } from '../core/classify/classifyVolume';
import { oneLine } from '../core/errors';
import { verdictLine } from '../protocol/outOfDistribution';
import { peakMark, peakVerdictsLine } from '../protocol/peakVerdicts';
import type { LoadedModel } from '../core/model/loadModel';
import { groupSeries, loadDicomSeries } from '../core/scan/dicomSeries';
import type { DecodeLimits } from '../core/scan/limits';
import { loadScan } from '../core/scan/loadScan';
import { sniffFile } from '../core/scan/sniffFile';
import { SLICE_AXES, type SliceAxis } from '../core/scan/reslice';
import { dirname } from 'node:path';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { SCANLENS_VERSION } from '../core/version';
import { expandInputs } from './expandInputs';
import { modelOption, modelSummary, parsePositiveInt, providerOption, threadsOption, type ModelFlags } from './modelOption';
import { CliFailure, EXIT, printError, printJson } from './output';
import { bundledModelPath } from './paths';
import { progressReporter } from './progress';
import { ResultFile, previousRows, type OutputRow } from './resultFile';
import { keysInShard, parseShard, type Shard } from './shard';

interface ClassifyFlags extends ModelFlags {
  readonly json?: boolean;
  readonly csv?: string;
  readonly jsonl?: string;
  readonly resume?: boolean;
  readonly shard?: Shard;
  readonly workers?: number;
  readonly top: number;
  readonly batchSize: number;
  readonly maxPixels: number;
  readonly axis: SliceAxis;
  readonly volume: number;
}

interface VolumeInput {
  readonly label: string;
  readonly files: readonly string[];
  /** 'file': one file holding the volume (NIfTI, multi-frame DICOM); 'series': one DICOM file per slice. */
  readonly kind: 'file' | 'series';
}

/**
 * Splits files into plain images and volumes: NIfTI files, multi-frame DICOM
 * files (as the extension reads them; the frame count comes from the header
 * groupSeries reads anyway) and DICOM series
 * (two or more slices sharing a SeriesInstanceUID).
 */
async function findVolumes(files: readonly string[], limits: DecodeLimits): Promise<{ plain: string[]; volumes: VolumeInput[] }> {
  const plain: string[] = [];
  const dicom: string[] = [];
  const volumes: VolumeInput[] = [];
  for (const file of files) {
    const format = await sniffFile(file, limits).catch(() => undefined);
    if (format === 'nifti') volumes.push({ label: file, files: [file], kind: 'file' });
    else if (format === 'dicom') dicom.push(file);
    else plain.push(file);
  }
  const { series, single, multiFrame } = await groupSeries(dicom, limits);
  for (const found of series) volumes.push({ label: dirname(found.files[0]!), files: found.files, kind: 'series' });
  for (const file of multiFrame) volumes.push({ label: file, files: [file], kind: 'file' });
  plain.push(...single);
  const isPlain = new Set(plain);
  return { plain: files.filter((f) => isPlain.has(f)), volumes };
}

type VolumeResult = (VolumeRow & { top: ClassPeak }) | { file: string; error: string };

async function classifyVolumeInput(model: LoadedModel, input: VolumeInput, flags: ClassifyFlags, limits: DecodeLimits, signal: AbortSignal, guard: OodGuard | undefined): Promise<VolumeResult> {
  try {
    const scan = input.kind === 'file' ? await loadScan(input.label, limits, { volume: flags.volume }) : await loadDicomSeries(input.label, input.files, limits);
    const row = await classifyVolume(model, scan, flags.axis, { batchSize: flags.batchSize, signal, guard });
    if (row.peaks.length === 0) return { file: input.label, error: 'stopped before any slice was classified' };
    const { label, probability, slice, ...verdict } = row.peaks.reduce((a, b) => (b.probability > a.probability ? b : a));
    // The top peak carries its slice's verdict too: many readers look no further than top.
    return { ...row, top: { label, probability, slice, ...verdict } };
  } catch (error) {
    return { file: input.label, error: oneLine(error) };
  }
}

function formatVolume(row: VolumeResult): string {
  if ('error' in row) return `${row.file}  ERROR  ${row.error}`;
  const peaks = row.peaks.map((p) => `${p.label} ${p.probability.toFixed(3)}@${p.slice}${peakMark(p)}`).join('  ');
  const verdicts = peakVerdictsLine(row.peaks, String);
  return `${row.file}  ${row.axis} ${row.slices.length} slices  peaks: ${peaks}${verdicts ? `  ${verdicts}` : ''}`;
}

function formatRow(row: ClassifyRow): string {
  if (row.error !== undefined) return `${row.file}  ERROR  ${row.error}`;
  const ranked = (row.topK ?? []).map((r) => `${r.label} ${r.probability.toFixed(3)}`).join('  ');
  const verdict = verdictLine(row);
  return `${row.file}  ${ranked}${verdict ? `  ${verdict}` : ''}`;
}

/** Output files named by the flags, JSONL first: it round-trips rows exactly, so --resume prefers it. */
function resultFiles(flags: ClassifyFlags, model: LoadedModel): ResultFile[] {
  const { labels } = model.manifest;
  const files: ResultFile[] = [];
  if (flags.jsonl) files.push(new ResultFile(flags.jsonl, 'jsonl', labels, hasGuard(model)));
  if (flags.csv) files.push(new ResultFile(flags.csv, 'csv', labels, hasGuard(model)));
  return files;
}

/**
 * Inference keeps every core (the default thread count) while decode workers
 * run beside it: idle onnxruntime threads sleep, and on 2 cores this beat
 * giving the workers a core of their own, by 1.2x on the demo model and 1.7x
 * on ResNet-18 (npm run bench).
 */
function pipelineFlags(flags: ClassifyFlags, fileCount: number): { workers: number; threads?: number } {
  return { workers: flags.workers ?? (fileCount >= POOL_THRESHOLD ? defaultWorkers() : 0), threads: flags.threads };
}

async function run(inputs: string[], flags: ClassifyFlags): Promise<number> {
  if (flags.resume && !flags.csv && !flags.jsonl) throw new CliFailure('--resume needs --csv or --jsonl: the output it continues');
  const expanded = await expandInputs(inputs);
  const { missing, skipped } = expanded;
  const pipeline = pipelineFlags(flags, expanded.files.length);
  const model = await getModel(flags.model ?? bundledModelPath(), { provider: flags.provider, threads: pipeline.threads });
  // Opened once, before any output file, so a manifest naming a missing detector stops the run cleanly; files and volumes share it.
  const oodGuard = await guardFor(model, { provider: flags.provider, threads: pipeline.threads });
  const guard = rowGuard(oodGuard);
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels };
  const found = await findVolumes(expanded.files, limits);
  const owned = flags.shard ? keysInShard([...found.plain, ...found.volumes.map((v) => v.label)], flags.shard) : undefined;
  const inShard = (key: string): boolean => owned?.has(key) ?? true;
  const outputs = resultFiles(flags, model);
  const previous = new Map<string, OutputRow>();
  if (flags.resume) for (const out of [...outputs].reverse()) for (const [file, row] of await previousRows(out.path, out.format, model.manifest.labels)) previous.set(file, row);
  const files = found.plain.filter((f) => inShard(f) && !previous.has(f));
  const volumes = found.volumes.filter((v) => inShard(v.label) && !previous.has(v.label));
  if (skipped > 0) process.stderr.write(`scanlens: skipped ${skipped} file(s) that are not scans\n`);
  const resumed = [...found.plain, ...found.volumes.map((v) => v.label)].filter((key) => inShard(key) && previous.has(key));
  if (resumed.length > 0) process.stderr.write(`scanlens: resuming: ${resumed.length} input(s) already in the output\n`);
  const fresh = new Map<string, OutputRow>();
  const missingRows: ClassifyRow[] = missing.map((m) => ({ file: m.file, error: m.error }));
  for (const row of missingRows) printError(row.error);
  for (const out of outputs) await out.open(flags.resume ?? false);
  const record = (row: OutputRow): void => {
    fresh.set(row.file, row);
    for (const out of outputs) out.append(row);
  };
  const progress = files.length > 1 ? progressReporter('classify') : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    for await (const row of guard(classifyFiles(model, files, {
      batchSize: flags.batchSize,
      topK: flags.top,
      limits,
      workers: pipeline.workers,
      signal: controller.signal,
      onProgress: progress ? (done, total) => progress(done, total) : undefined,
    }))) {
      record(row);
      if (row.error !== undefined) printError(row.error);
      if (!flags.json) process.stdout.write(formatRow(row) + '\n');
    }
    for (const input of volumes) {
      if (controller.signal.aborted) break;
      const row = await classifyVolumeInput(model, input, flags, limits, controller.signal, oodGuard);
      record(row);
      if ('error' in row) printError(row.error);
      if (!flags.json) process.stdout.write(formatVolume(row) + '\n');
    }
  } finally {
    process.off('SIGINT', stop);
    for (const out of outputs) await out.close();
  }
  // This run's inputs in input order (resumed rows in their place), then rows of earlier runs for inputs not given now.
  const keys = [...found.plain, ...found.volumes.map((v) => v.label)].filter(inShard);
  const results = [...missingRows, ...keys.flatMap((key) => fresh.get(key) ?? previous.get(key) ?? [])];
  const given = new Set(keys);
  const earlier = [...previous.values()].filter((row) => !given.has(row.file));
  for (const out of outputs) await out.finish([...results, ...earlier]);
  const failed = results.filter((r) => r.error !== undefined).length;
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      model: modelSummary(model),
      results,
      summary: {
        files: results.length,
        classified: results.length - failed,
        failed,
        skipped,
        resumed: resumed.length,
        cancelled: controller.signal.aborted,
        ...(flags.shard ? { shard: `${flags.shard.index}/${flags.shard.count}` } : {}),
      },
    });
  } else if (results.length > 1) {
    process.stderr.write(`scanlens: ${results.length - failed} classified, ${failed} failed\n`);
  }
  if (controller.signal.aborted) return EXIT.someFailed;
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}

export function classifyCommand(): Command {
  return new Command('classify')
    .description('classify scans: files, folders (recursively) or globs')
    .argument('<inputs...>', 'scan files, folders or glob patterns')
    .addOption(modelOption)
    .addOption(threadsOption)
    .option('--json', 'print one JSON document to stdout')
    .option('--csv <file>', 'also write the results as CSV (streamed to <file>.partial, then written atomically)')
    .option('--jsonl <file>', 'also write the results as JSON Lines, one row per input (streamed like --csv)')
    .option('--resume', 'skip inputs that already have a row without error in the --jsonl/--csv output (or its .partial)')
    .addOption(new Option('--shard <i/n>', 'classify only inputs whose position in sorted order is i mod n (array jobs: Slurm, Kubernetes)').argParser(parseShard))
    .addOption(providerOption)
    .addOption(new Option('--workers <n>', `decode worker threads, 0 to decode in the main thread (default: cores - 1, at most 4, from ${POOL_THRESHOLD} files on)`).argParser((v) => (v === '0' ? 0 : parsePositiveInt(v))))
    .addOption(new Option('--top <k>', 'classes to rank per file').default(3).argParser(parsePositiveInt))
    .addOption(new Option('--batch-size <n>', 'images per inference batch').default(8).argParser(parsePositiveInt))
    .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels than this').default(DEFAULT_LIMITS.maxPixels).argParser(parsePositiveInt))
    .addOption(new Option('--axis <axis>', 'for volumes (NIfTI, DICOM series): the plane to classify slice by slice').choices(SLICE_AXES).default('axial'))
    .addOption(new Option('--volume <n>', 'for 4D NIfTI: which volume, from 0').default(0).argParser((v) => (v === '0' ? 0 : parsePositiveInt(v))))
    .action(async (inputs: string[], flags: ClassifyFlags) => {
      process.exitCode = await run(inputs, flags);
    });
}

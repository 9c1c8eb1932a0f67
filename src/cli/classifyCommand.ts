import { Command, Option } from 'commander';
import { modelGuard } from '../core/anomaly/modelGuard';
import { csvColumnsOf } from '../core/report/classifyCsv';
import { POOL_THRESHOLD } from '../core/classify/classify';
import { defaultWorkers } from '../core/classify/preparePool';
import { classifyInputs } from '../core/jobs/classifyInputs';
import { classifyJob, jobOrder, rowError } from '../core/jobs/classifyJob';
import { classifyLine } from '../core/report/classifyText';
import type { LoadedModel } from '../core/model/loadModel';
import { getModel } from '../core/model/modelCache';
import { DEFAULT_LIMITS, type DecodeLimits } from '../core/scan/limits';
import { SLICE_AXES, type SliceAxis } from '../core/scan/reslice';
import { SCANLENS_VERSION } from '../core/version';
import { CAM_METHODS, type CamMethodName } from '../core/vocabulary/camMethods';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { checkOutputTarget } from '../core/io/regularFile';
import { folderLabels } from '../core/report/html/labelledAudit';
import { htmlReportJob } from '../core/report/html/reportJob';
import { summarise } from '../core/report/classifyReport';
import { stat } from 'node:fs/promises';
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
  readonly report?: string;
  readonly reportOverlays?: CamMethodName | true;
}

/** Output files named by the flags, JSONL first: it round-trips rows exactly, so --resume prefers it. */
function resultFiles(flags: ClassifyFlags, model: LoadedModel): ResultFile[] {
  const { labels } = model.manifest;
  const files: ResultFile[] = [];
  if (flags.jsonl) files.push(new ResultFile(flags.jsonl, 'jsonl', labels, csvColumnsOf(model)));
  if (flags.csv) files.push(new ResultFile(flags.csv, 'csv', labels, csvColumnsOf(model)));
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

/**
 * --report: the rows as one self-contained HTML page. A single folder given
 * is audited against its labels (labels.csv or class sub-folders) when it has them.
 */
async function writeReport(
  path: string,
  model: LoadedModel,
  inputs: readonly string[],
  results: readonly OutputRow[],
  run: { skipped: number; cancelled: boolean },
  flags: ClassifyFlags,
): Promise<void> {
  const folder = inputs.length === 1 && (await stat(inputs[0]!).catch(() => undefined))?.isDirectory() ? inputs[0]! : undefined;
  const labels = folder ? await folderLabels(folder, model.manifest.labels) : undefined;
  const method = flags.reportOverlays === true ? 'gradcam' : flags.reportOverlays;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  const html = htmlReportJob(model, results, summarise(results, run.skipped, run.cancelled), {
    overlays: method ? { method, threads: flags.threads } : undefined,
    labels,
    limits: { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels },
    command: ['scanlens', ...process.argv.slice(2)].join(' '),
    signal: controller.signal,
    onProgress: results.length > 1 ? progressReporter('report') : undefined,
  });
  try {
    await writeFileAtomic(path, html);
  } finally {
    process.off('SIGINT', stop);
  }
  process.stderr.write(`scanlens: wrote ${path} (${results.length} row(s), ${((await stat(path)).size / 1e6).toFixed(1)} MB)\n`);
}

async function run(inputs: string[], flags: ClassifyFlags): Promise<number> {
  if (flags.resume && !flags.csv && !flags.jsonl) throw new CliFailure('--resume needs --csv or --jsonl: the output it continues');
  if (flags.reportOverlays !== undefined && !flags.report) throw new CliFailure('--report-overlays needs --report: the report it draws in');
  // A target that cannot be written (a folder, a link) is refused before any scan is classified.
  if (flags.report) await checkOutputTarget(flags.report);
  const expanded = await expandInputs(inputs);
  const { missing, skipped } = expanded;
  const pipeline = pipelineFlags(flags, expanded.files.length);
  const model = await getModel(flags.model ?? bundledModelPath(), { provider: flags.provider, threads: pipeline.threads });
  // Opened once, before any output file, so a manifest naming a missing detector stops the run cleanly; the job uses the same one.
  await modelGuard(model);
  if (model.manifest.input.channels > 1 && flags.volume !== 0) {
    throw new CliFailure(`--volume picks one volume of a 4D NIfTI; this model takes ${model.manifest.input.channels} channels, a 4D NIfTI's volumes in order or a subject folder's sequences`);
  }
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels };
  const routed = jobOrder(await classifyInputs(expanded.files, limits, { sequences: model.manifest.input.sequences }));
  const owned = flags.shard
    ? keysInShard(
        routed.map((i) => i.key),
        flags.shard,
      )
    : undefined;
  const mine = routed.filter((i) => owned?.has(i.key) ?? true);
  const outputs = resultFiles(flags, model);
  const previous = new Map<string, OutputRow>();
  if (flags.resume) for (const out of [...outputs].reverse()) for (const [file, row] of await previousRows(out.path, out.format, model.manifest.labels)) previous.set(file, row);
  const todo = mine.filter((i) => !previous.has(i.key));
  if (skipped > 0) process.stderr.write(`scanlens: skipped ${skipped} file(s) that are not scans\n`);
  const resumed = mine.length - todo.length;
  if (resumed > 0) process.stderr.write(`scanlens: resuming: ${resumed} input(s) already in the output\n`);
  const fresh = new Map<string, OutputRow>();
  const missingRows: OutputRow[] = missing.map((m) => ({ kind: 'image', file: m.file, error: m.error }));
  for (const row of missingRows) printError(rowError(row)!);
  for (const out of outputs) await out.open(flags.resume ?? false);
  const progress = todo.length > 1 ? progressReporter('classify') : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    const job = classifyJob(model, todo, {
      batchSize: flags.batchSize,
      topK: flags.top,
      limits,
      workers: pipeline.workers,
      axis: flags.axis,
      volume: flags.volume,
      signal: controller.signal,
      onProgress: progress,
    });
    for await (const row of job) {
      fresh.set(row.file, row);
      // A write failure (full disk, read-only folder) stops the run with one line naming the file (exit 1); the rows written stay for --resume.
      for (const out of outputs) await out.append(row);
      const error = rowError(row);
      if (error !== undefined) printError(error);
      if (!flags.json) process.stdout.write(classifyLine(row, flags.top) + '\n');
    }
  } finally {
    process.off('SIGINT', stop);
    for (const out of outputs) await out.close().catch(() => undefined);
  }
  // This run's inputs in job order (resumed rows in their place), then rows of earlier runs for inputs not given now.
  const results = [...missingRows, ...mine.flatMap((input) => fresh.get(input.key) ?? previous.get(input.key) ?? [])];
  const given = new Set(mine.map((i) => i.key));
  const earlier = [...previous.values()].filter((row) => !given.has(row.file));
  for (const out of outputs) await out.finish([...results, ...earlier]);
  const failed = results.filter((r) => rowError(r) !== undefined).length;
  if (flags.report) await writeReport(flags.report, model, inputs, results, { skipped, cancelled: controller.signal.aborted }, flags);
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
        resumed,
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
    .addOption(
      new Option('--workers <n>', `decode worker threads, 0 to decode in the main thread (default: cores - 1, at most 4, from ${POOL_THRESHOLD} files on)`).argParser((v) =>
        v === '0' ? 0 : parsePositiveInt(v),
      ),
    )
    .addOption(new Option('--top <k>', 'classes to rank per file').default(3).argParser(parsePositiveInt))
    .addOption(new Option('--batch-size <n>', 'images per inference batch').default(8).argParser(parsePositiveInt))
    .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels than this').default(DEFAULT_LIMITS.maxPixels).argParser(parsePositiveInt))
    .addOption(new Option('--axis <axis>', 'for volumes (NIfTI, DICOM series): the plane to classify slice by slice').choices(SLICE_AXES).default('axial'))
    .option('--report <file.html>', 'also write one self-contained HTML report: model card, summary, a thumbnail per row; for a labelled folder, accuracy, confusion matrix and reliability diagram')
    .addOption(new Option('--report-overlays [method]', "put each row's explanation overlay (of its top class) in the report").choices([...CAM_METHODS]))
    .addOption(new Option('--volume <n>', 'for 4D NIfTI: which volume, from 0').default(0).argParser((v) => (v === '0' ? 0 : parsePositiveInt(v))))
    .action(async (inputs: string[], flags: ClassifyFlags) => {
      process.exitCode = await run(inputs, flags);
    });
}

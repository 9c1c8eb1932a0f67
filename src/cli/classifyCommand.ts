import { Command, Option } from 'commander';
import { classifyFiles, type ClassifyRow } from '../core/classify/classify';
import { classifyVolume, type VolumeRow } from '../core/classify/classifyVolume';
import { oneLine } from '../core/errors';
import type { LoadedModel } from '../core/model/loadModel';
import { groupSeries, loadDicomSeries } from '../core/scan/dicomSeries';
import type { DecodeLimits } from '../core/scan/limits';
import { loadScan, readLimited, sniffBuffer } from '../core/scan/loadScan';
import { SLICE_AXES, type SliceAxis } from '../core/scan/reslice';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { SCANLENS_VERSION } from '../core/version';
import { classifyCsv } from '../core/report/classifyCsv';
import { expandInputs } from './expandInputs';
import { loadModelFromFlags, modelOption, modelSummary, parsePositiveInt, threadsOption, type ModelFlags } from './modelOption';
import { EXIT, printError, printJson } from './output';
import { progressReporter } from './progress';

interface ClassifyFlags extends ModelFlags {
  readonly json?: boolean;
  readonly csv?: string;
  readonly top: number;
  readonly batchSize: number;
  readonly maxPixels: number;
  readonly axis: SliceAxis;
  readonly volume: number;
}

interface VolumeInput {
  readonly label: string;
  readonly files: readonly string[];
  readonly kind: 'nifti' | 'series';
}

/** Splits files into plain images, NIfTI volumes and DICOM series (two or more slices sharing a SeriesInstanceUID). */
async function findVolumes(files: readonly string[], limits: DecodeLimits): Promise<{ plain: string[]; volumes: VolumeInput[] }> {
  const plain: string[] = [];
  const dicom: string[] = [];
  const volumes: VolumeInput[] = [];
  for (const file of files) {
    const format = await readLimited(file, limits).then(sniffBuffer, () => undefined);
    if (format === 'nifti') volumes.push({ label: file, files: [file], kind: 'nifti' });
    else if (format === 'dicom') dicom.push(file);
    else plain.push(file);
  }
  const { series, single } = await groupSeries(dicom, limits);
  for (const found of series) volumes.push({ label: dirname(found.files[0]!), files: found.files, kind: 'series' });
  plain.push(...single);
  return { plain: files.filter((f) => plain.includes(f)), volumes };
}

type VolumeResult = (VolumeRow & { top: { label: string; probability: number; slice: number } }) | { file: string; error: string };

async function classifyVolumeInput(model: LoadedModel, input: VolumeInput, flags: ClassifyFlags, limits: DecodeLimits, signal: AbortSignal): Promise<VolumeResult> {
  try {
    const scan = input.kind === 'nifti' ? await loadScan(input.label, limits, { volume: flags.volume }) : await loadDicomSeries(input.label, input.files, limits);
    const row = await classifyVolume(model, scan, flags.axis, { batchSize: flags.batchSize, signal });
    const best = row.peaks.reduce((a, b) => (b.probability > a.probability ? b : a));
    return { ...row, top: { label: best.label, probability: best.probability, slice: best.slice } };
  } catch (error) {
    return { file: input.label, error: oneLine(error) };
  }
}

function formatVolume(row: VolumeResult): string {
  if ('error' in row) return `${row.file}  ERROR  ${row.error}`;
  const peaks = row.peaks.map((p) => `${p.label} ${p.probability.toFixed(3)}@${p.slice}`).join('  ');
  return `${row.file}  ${row.axis} ${row.slices.length} slices  peaks: ${peaks}`;
}

function formatRow(row: ClassifyRow): string {
  if (row.error !== undefined) return `${row.file}  ERROR  ${row.error}`;
  const ranked = (row.topK ?? []).map((r) => `${r.label} ${r.probability.toFixed(3)}`).join('  ');
  return `${row.file}  ${ranked}`;
}

async function run(inputs: string[], flags: ClassifyFlags): Promise<number> {
  const model = await loadModelFromFlags(flags);
  const expanded = await expandInputs(inputs);
  const { missing, skipped } = expanded;
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels };
  const { plain: files, volumes } = await findVolumes(expanded.files, limits);
  if (skipped > 0) process.stderr.write(`scanlens: skipped ${skipped} file(s) that are not scans\n`);
  const rows: ClassifyRow[] = missing.map((m) => ({ file: m.file, error: m.error }));
  const volumeRows: VolumeResult[] = [];
  for (const row of rows) printError(row.error);
  const progress = files.length > 1 ? progressReporter('classify') : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    for await (const row of classifyFiles(model, files, {
      batchSize: flags.batchSize,
      topK: flags.top,
      limits,
      signal: controller.signal,
      onProgress: progress ? (done, total) => progress(done, total) : undefined,
    })) {
      rows.push(row);
      if (row.error !== undefined) printError(row.error);
      if (!flags.json) process.stdout.write(formatRow(row) + '\n');
    }
    for (const input of volumes) {
      if (controller.signal.aborted) break;
      const row = await classifyVolumeInput(model, input, flags, limits, controller.signal);
      volumeRows.push(row);
      if ('error' in row) printError(row.error);
      if (!flags.json) process.stdout.write(formatVolume(row) + '\n');
    }
  } finally {
    process.off('SIGINT', stop);
  }
  const failed = rows.filter((r) => r.error !== undefined).length + volumeRows.filter((r) => 'error' in r).length;
  if (flags.csv) await writeFileAtomic(flags.csv, classifyCsv(model.manifest.labels, rows));
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      model: modelSummary(model),
      results: [...rows, ...volumeRows],
      summary: { files: rows.length + volumeRows.length, classified: rows.length + volumeRows.length - failed, failed, skipped, cancelled: controller.signal.aborted },
    });
  } else if (rows.length + volumeRows.length > 1) {
    process.stderr.write(`scanlens: ${rows.length + volumeRows.length - failed} classified, ${failed} failed\n`);
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
    .option('--csv <file>', 'also write the results as CSV')
    .addOption(new Option('--top <k>', 'classes to rank per file').default(3).argParser(parsePositiveInt))
    .addOption(new Option('--batch-size <n>', 'images per inference batch').default(8).argParser(parsePositiveInt))
    .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels than this').default(DEFAULT_LIMITS.maxPixels).argParser(parsePositiveInt))
    .addOption(new Option('--axis <axis>', 'for volumes (NIfTI, DICOM series): the plane to classify slice by slice').choices(SLICE_AXES).default('axial'))
    .addOption(new Option('--volume <n>', 'for 4D NIfTI: which volume, from 0').default(0).argParser((v) => (v === '0' ? 0 : parsePositiveInt(v))))
    .action(async (inputs: string[], flags: ClassifyFlags) => {
      process.exitCode = await run(inputs, flags);
    });
}

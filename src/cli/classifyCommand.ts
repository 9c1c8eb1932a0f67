import { Command, Option } from 'commander';
import { classifyFiles, type ClassifyRow } from '../core/classify/classify';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { SCANLENS_VERSION } from '../core/version';
import { classifyCsv } from './csv';
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
}

function formatRow(row: ClassifyRow): string {
  if (row.error !== undefined) return `${row.file}  ERROR  ${row.error}`;
  const ranked = (row.topK ?? []).map((r) => `${r.label} ${r.probability.toFixed(3)}`).join('  ');
  return `${row.file}  ${ranked}`;
}

async function run(inputs: string[], flags: ClassifyFlags): Promise<number> {
  const model = await loadModelFromFlags(flags);
  const { files, missing, skipped } = await expandInputs(inputs);
  if (skipped > 0) process.stderr.write(`scanlens: skipped ${skipped} file(s) that are not scans\n`);
  const rows: ClassifyRow[] = missing.map((m) => ({ file: m.file, error: m.error }));
  for (const row of rows) printError(row.error);
  const progress = files.length > 1 ? progressReporter('classify') : undefined;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    for await (const row of classifyFiles(model, files, {
      batchSize: flags.batchSize,
      topK: flags.top,
      limits: { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels },
      signal: controller.signal,
      onProgress: progress ? (done, total) => progress(done, total) : undefined,
    })) {
      rows.push(row);
      if (row.error !== undefined) printError(row.error);
      if (!flags.json) process.stdout.write(formatRow(row) + '\n');
    }
  } finally {
    process.off('SIGINT', stop);
  }
  const failed = rows.filter((r) => r.error !== undefined).length;
  if (flags.csv) await writeFileAtomic(flags.csv, classifyCsv(model.manifest.labels, rows));
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      model: modelSummary(model),
      results: rows,
      summary: { files: rows.length, classified: rows.length - failed, failed, skipped, cancelled: controller.signal.aborted },
    });
  } else if (rows.length > 1) {
    process.stderr.write(`scanlens: ${rows.length - failed} classified, ${failed} failed\n`);
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
    .action(async (inputs: string[], flags: ClassifyFlags) => {
      process.exitCode = await run(inputs, flags);
    });
}

import { Command, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { checkProvider } from '../core/model/executionProviders';
import { NotebookSession } from '../notebook/executor/notebookSession';
import { compareNotebooks } from '../notebook/ipynb/compareOutputs';
import { readNotebook } from '../notebook/ipynb/readNotebook';
import { runNotebook, type CellSummary } from '../notebook/ipynb/runNotebook';
import { writeNotebook } from '../notebook/ipynb/writeNotebook';
import { modelOption, providerOption, threadsOption, type ModelFlags } from './modelOption';
import { EXIT, printLine } from './output';
import { bundledModelPath, packageRoot } from './paths';

interface RunFlags extends ModelFlags {
  readonly out?: string;
  readonly check?: boolean;
  readonly tolerance: number;
  readonly root: string[];
}

function parseTolerance(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || value.trim() === '') throw new Error(`tolerance must be a number ≥ 0, got '${value}'`);
  return n;
}

function reportCell(summary: CellSummary): void {
  const state = summary.ok ? 'ok' : summary.cancelled ? 'cancelled' : 'FAILED';
  printLine(`scanlens: cell ${summary.index + 1} ${state} (${(summary.durationMs / 1000).toFixed(1)} s)`, process.stderr);
}

async function run(file: string, flags: RunFlags): Promise<number> {
  const path = resolve(file);
  const saved = await readNotebook(path, file);
  const session = new NotebookSession({
    baseDir: dirname(path),
    roots: flags.root.map((r) => resolve(r)),
    readOnlyRoots: [join(packageRoot(), 'models')],
    defaultModelPath: flags.model ?? bundledModelPath(),
    threads: flags.threads,
    provider: flags.provider,
    dryRun: flags.check === true,
  });
  // A model or provider named on the command line that cannot load is a usage error (exit 1), not a failing cell.
  checkProvider(flags.provider);
  if (flags.model) await session.model();
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  let result;
  try {
    result = await runNotebook(saved, session, {
      signal: controller.signal,
      onCell: reportCell,
    });
  } finally {
    process.off('SIGINT', stop);
  }
  for (const summary of result.cells.filter((c) => !c.ok)) {
    const cell = result.notebook.cells[summary.index];
    const errors = cell?.cell_type === 'code' ? cell.outputs.filter((o) => o.output_type === 'error').map((o) => String(o['evalue'])) : [];
    for (const error of errors) printLine(`scanlens: cell ${summary.index + 1}: ${error.replace(/\n/g, '; ')}`, process.stderr);
  }
  const failed = result.cells.filter((c) => !c.ok).length;
  if (flags.check) {
    if (flags.out) await writeNotebook(flags.out, result.notebook);
    const differences = compareNotebooks(saved, result.notebook, flags.tolerance);
    for (const d of differences) printLine(`${d.where}: ${d.message}`);
    const verdict = differences.length === 0 ? `matches the saved outputs (tolerance ${flags.tolerance})` : `${differences.length} difference(s) from the saved outputs`;
    printLine(`${file}: ${result.cells.length} cell(s) run, ${failed} failed; ${verdict}`);
    return differences.length > 0 || failed > 0 ? EXIT.someFailed : EXIT.ok;
  }
  const target = flags.out ?? path;
  await writeNotebook(target, result.notebook);
  printLine(`${file}: ${result.cells.length} cell(s) run, ${failed} failed → ${flags.out ?? file}`);
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}

export function runCommand(): Command {
  return new Command('run')
    .description('run every ScanLens cell of a notebook (.ipynb) and save the outputs; --check compares a fresh run with the saved outputs')
    .argument('<notebook.ipynb>', 'notebook to run')
    .option('-o, --out <file>', 'write the executed notebook here instead of in place')
    .option('--check', 're-run and compare the numbers with the saved outputs; nothing is written (export lines are checked, not written)')
    .option(
      '--root <dir>',
      "another folder the notebook's cells may read and write besides its own (repeatable; as a VS Code workspace folder)",
      (dir: string, all: string[]) => [...all, dir],
      [] as string[],
    )
    .addOption(new Option('--tolerance <t>', 'largest absolute difference --check accepts between numbers').default(1e-4).argParser(parseTolerance))
    .addOption(modelOption)
    .addOption(threadsOption)
    .addOption(providerOption)
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await run(file, flags);
    });
}

import type { ExecuteOptions } from '../executor/executeCell';
import { executeCell } from '../executor/executeCell';
import type { NotebookSession } from '../executor/notebookSession';
import type { IpynbCell, IpynbNotebook } from './ipynbSchema';
import { sourceText } from './readNotebook';
import { toIpynbOutput } from './writeNotebook';

export interface CellSummary {
  /** Index among all cells, from 0. */
  readonly index: number;
  readonly ok: boolean;
  readonly cancelled: boolean;
  readonly durationMs: number;
}

export interface NotebookRun {
  readonly notebook: IpynbNotebook;
  readonly cells: readonly CellSummary[];
}

/** A code cell is ours unless VS Code recorded another language for it. */
function isScanLensCell(cell: IpynbCell): boolean {
  const vscode = cell.metadata['vscode'] as { languageId?: unknown } | undefined;
  return cell.cell_type === 'code' && (vscode?.languageId === undefined || vscode.languageId === 'scanlens');
}

/**
 * Runs every ScanLens code cell in order with one session, as "Run All" does:
 * a failing cell gets its error output and the next cell still runs.
 * Timing goes to cell metadata (`scanlens.durationMs`), which --check ignores.
 */
export async function runNotebook(notebook: IpynbNotebook, session: NotebookSession, options: ExecuteOptions & { onCell?: (summary: CellSummary) => void } = {}): Promise<NotebookRun> {
  const cells: IpynbCell[] = [];
  const summaries: CellSummary[] = [];
  let count = 0;
  for (const [index, cell] of notebook.cells.entries()) {
    if (!isScanLensCell(cell) || cell.cell_type !== 'code' || options.signal?.aborted) {
      cells.push(cell);
      continue;
    }
    const run = await executeCell(session, sourceText(cell.source), options);
    const summary = { index, ok: run.ok, cancelled: run.cancelled, durationMs: run.durationMs };
    summaries.push(summary);
    options.onCell?.(summary);
    cells.push({
      ...cell,
      execution_count: ++count,
      metadata: { ...cell.metadata, scanlens: { durationMs: run.durationMs } },
      outputs: run.outputs.map(toIpynbOutput),
    });
  }
  return { notebook: { ...notebook, cells }, cells: summaries };
}

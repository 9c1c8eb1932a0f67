import * as vscode from 'vscode';
import { oneLine } from '../../core/errors';
import { executeCell } from '../../notebook/executor/executeCell';
import { loadActiveModel } from '../loadActiveModel';
import type { OutputLog } from '../outputLog';
import { cellOutput, progressOutput } from './cellOutputs';
import { NotebookSessions } from './notebookSessions';

export const SCANLENS_LANGUAGE = 'scanlens';

/**
 * What runs cells once the kernel is first used (bundled in dist/commands.js):
 * cells of one notebook run one after another with one session, execution
 * order counts per notebook, and an interrupt aborts the running cell and the
 * queued ones.
 */
export class NotebookKernel implements vscode.Disposable {
  private readonly sessions: NotebookSessions;
  private readonly order = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly running = new Map<string, AbortController>();
  private readonly closing: vscode.Disposable;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: OutputLog,
  ) {
    this.sessions = new NotebookSessions(context);
    this.closing = vscode.workspace.onDidCloseNotebookDocument((notebook) => {
      this.sessions.forget(notebook);
      this.order.delete(notebook.uri.toString());
    });
  }

  execute(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument, controller: vscode.NotebookController): Promise<void> {
    const key = notebook.uri.toString();
    // Runs queued behind a running one share its controller, so one interrupt stops them all.
    const current = this.running.get(key);
    const abort = current && !current.signal.aborted ? current : new AbortController();
    this.running.set(key, abort);
    const executions = cells.map((cell) => controller.createNotebookCellExecution(cell));
    // A failed earlier run must not keep later cells from running.
    const previous = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined);
    const run = previous.then(() => this.runAll(executions, notebook, abort));
    const settled = run.finally(() => {
      if (this.queues.get(key) === settled) {
        this.queues.delete(key);
        this.running.delete(key);
      }
    });
    this.queues.set(key, settled);
    return settled;
  }

  interrupt(notebook: vscode.NotebookDocument): void {
    this.running.get(notebook.uri.toString())?.abort();
  }

  dispose(): void {
    this.closing.dispose();
    for (const abort of this.running.values()) abort.abort();
  }

  private async runAll(executions: readonly vscode.NotebookCellExecution[], notebook: vscode.NotebookDocument, abort: AbortController): Promise<void> {
    const cancelled = executions.map((execution) => execution.token.onCancellationRequested(() => abort.abort()));
    try {
      for (const execution of executions) await this.runCell(execution, notebook, abort.signal);
    } finally {
      for (const c of cancelled) c.dispose();
    }
  }

  private async runCell(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<void> {
    const key = notebook.uri.toString();
    const order = (this.order.get(key) ?? 0) + 1;
    this.order.set(key, order);
    execution.executionOrder = order;
    execution.start(Date.now());
    const cell = execution.cell;
    // Whatever happens, the execution ends exactly once, so no cell is left spinning.
    let ok = false;
    try {
      await execution.clearOutput();
      ok = await this.runSource(execution, notebook, signal);
    } catch (error) {
      this.log.line(`notebook cell ${cell.index + 1}: ${oneLine(error)}`);
      await execution.replaceOutput(cellOutput({ kind: 'error', name: 'ScanLensError', message: oneLine(error) })).then(undefined, () => undefined);
    } finally {
      execution.end(ok, Date.now());
    }
  }

  /** Runs one cell's text and shows its outputs; true when every line succeeded. */
  private async runSource(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, signal: AbortSignal): Promise<boolean> {
    const cell = execution.cell;
    if (signal.aborted) {
      await execution.replaceOutput(cellOutput({ kind: 'error', name: 'Cancelled', message: 'cancelled before the cell started' }));
      return false;
    }
    if (cell.document.languageId !== SCANLENS_LANGUAGE) {
      await execution.replaceOutput(cellOutput({ kind: 'error', name: 'ScanLensError', message: `the ScanLens kernel runs ${SCANLENS_LANGUAGE} cells; this cell is ${cell.document.languageId}` }));
      return false;
    }
    // Loads (or reuses) the extension's active model first, so Restricted Mode is announced and a bad setting fails here.
    const { runtime } = await loadActiveModel(this.context, this.log);
    // Progress lines are queued behind each other so the final outputs always land last.
    let shown: Promise<void> = Promise.resolve();
    const run = await executeCell(this.sessions.get(notebook, runtime), cell.document.getText(), {
      signal,
      onProgress: (p) => {
        shown = shown.then(() => execution.replaceOutput([progressOutput(`line ${p.line}: ${p.message}`), ...(p.live ? [cellOutput(p.live)] : [])]));
      },
    });
    await shown;
    await execution.replaceOutput(run.outputs.map(cellOutput));
    this.log.line(`notebook cell ${cell.index + 1}: ${run.ok ? 'ok' : run.cancelled ? 'cancelled' : 'failed'} in ${run.durationMs} ms`);
    return run.ok;
  }
}

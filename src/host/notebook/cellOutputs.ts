import * as vscode from 'vscode';
import type { NotebookOutput } from '../../notebook/outputs/notebookOutput';
import { outputData } from './outputItems';

/** An executor output as a VS Code cell output; a failed line becomes an error output without a stack. */
export function cellOutput(output: NotebookOutput): vscode.NotebookCellOutput {
  if (output.kind === 'error') {
    return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: output.name, message: output.message })], { outputType: 'error' });
  }
  const { items, metadata } = outputData(output);
  return new vscode.NotebookCellOutput(
    items.map((item) => new vscode.NotebookCellOutputItem(item.data, item.mime)),
    metadata,
  );
}

/** A one-line progress output shown while a long line runs; replaced by the real outputs. */
export function progressOutput(text: string): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(text, 'text/plain')]);
}

import { homedir } from 'node:os';
import { dirname } from 'node:path';
import * as vscode from 'vscode';

/**
 * Cell paths resolve against the notebook's folder; an untitled notebook uses
 * the workspace folder, else the home folder.
 */
export function notebookBaseDir(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
}

/** The notebook a cell's text document belongs to. */
export function notebookOfCell(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((notebook) => notebook.getCells().some((cell) => cell.document === document));
}

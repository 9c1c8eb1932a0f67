import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { SCANLENS_KERNELSPEC, SCANLENS_LANGUAGE_INFO } from './kernelspec';
import { CONTROLLER_ID, NOTEBOOK_TYPE } from './notebookController';

/** Where the example cells point: the workspace's `samples/` when it has one, else the samples shipped with the extension. */
function samplesFolder(context: vscode.ExtensionContext): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (root && existsSync(join(root, 'samples', 'glioma-01.png'))) return 'samples';
  return context.asAbsolutePath('samples');
}

/** The example cells of a new analysis notebook, over a folder holding the ScanLens samples. */
export function exampleCells(samples: string): vscode.NotebookCellData[] {
  const path = (file: string): string => JSON.stringify(`${samples}/${file}`);
  const markdown = (text: string) => new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, text, 'markdown');
  const code = (text: string) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, 'scanlens');
  return [
    markdown(
      "# ScanLens analysis\n\nOne command a line, `key=value` options, paths relative to the notebook. The model is ScanLens' active model until a `model` line names another. A research tool, not a medical device.",
    ),
    code(`# probabilities per slice, a table and a chart\nclassify ${path('*.png')} top=2`),
    code(`# where the model looked\nexplain ${path('glioma-01.png')} method=gradcam++ colormap=jet alpha=0.45`),
    code(`# accuracy, confusion matrix and ROC curves against the labels\nevaluate ${path('labels.csv')}`),
  ];
}

/** "ScanLens: New Analysis Notebook": an untitled .ipynb with example cells, the ScanLens kernel selected. */
export function newNotebookCommand(context: vscode.ExtensionContext): () => Promise<vscode.NotebookEditor> {
  return async () => {
    const data = new vscode.NotebookData(exampleCells(samplesFolder(context)));
    data.metadata = { metadata: { kernelspec: SCANLENS_KERNELSPEC, language_info: SCANLENS_LANGUAGE_INFO } };
    const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: CONTROLLER_ID, extension: context.extension.id });
    return editor;
  };
}

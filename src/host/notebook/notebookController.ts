import * as vscode from 'vscode';
import type { NotebookKernel } from './notebookKernel';
import { namesScanLensKernel } from './kernelspec';

export const CONTROLLER_ID = 'scanlens-kernel';
export const NOTEBOOK_TYPE = 'jupyter-notebook';

/**
 * The "ScanLens" kernel for the built-in jupyter-notebook type. Creating it
 * loads nothing; the engine (NotebookKernel, in dist/commands.js) is created on
 * the first run. Notebooks whose metadata names the scanlens kernelspec prefer it.
 */
export function createNotebookController(context: vscode.ExtensionContext, createKernel: () => NotebookKernel): vscode.NotebookController {
  const controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'ScanLens');
  controller.description = 'local ONNX inference on scans';
  controller.supportedLanguages = ['scanlens'];
  controller.supportsExecutionOrder = true;
  let kernel: NotebookKernel | undefined;
  const engine = (): NotebookKernel => {
    kernel ??= createKernel();
    return kernel;
  };
  controller.executeHandler = (cells, notebook, self) => engine().execute(cells, notebook, self);
  controller.interruptHandler = (notebook) => kernel?.interrupt(notebook);
  const prefer = (notebook: vscode.NotebookDocument): void => {
    if (notebook.notebookType === NOTEBOOK_TYPE && namesScanLensKernel(notebook.metadata)) {
      controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
    }
  };
  vscode.workspace.notebookDocuments.forEach(prefer);
  context.subscriptions.push(controller, vscode.workspace.onDidOpenNotebookDocument(prefer), { dispose: () => kernel?.dispose() });
  return controller;
}

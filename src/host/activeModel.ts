import { basename, dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';

export interface ActiveModel {
  /** Absolute path of the manifest, .onnx or model folder to load. */
  readonly path: string;
  /** Short name for the status bar and messages (before the model is loaded). */
  readonly label: string;
  readonly bundled: boolean;
  /** Set in restricted mode, saying why no workspace model is used. */
  readonly restrictedReason?: string;
}

export const MODEL_SETTING = 'scanlens.model';

export function bundledModelPath(context: vscode.ExtensionContext): string {
  return context.asAbsolutePath(join('models', 'brain-mri-demo', 'model.json'));
}

export function modelLabel(path: string): string {
  return basename(path).toLowerCase() === 'model.json' ? basename(dirname(path)) : basename(path);
}

/** Relative settings resolve against the first workspace folder, as tasks do. */
function resolveSetting(value: string): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const expanded = root ? value.replace(/\$\{workspaceFolder\}/g, root) : value;
  return isAbsolute(expanded) || !root ? expanded : join(root, expanded);
}

/**
 * The model commands use. A model from the workspace can run arbitrary ONNX
 * graphs and point at any file, so in restricted mode only the bundled model
 * is used, whatever the settings say.
 */
export function activeModel(context: vscode.ExtensionContext): ActiveModel {
  const bundled = { path: bundledModelPath(context), label: modelLabel(bundledModelPath(context)), bundled: true };
  if (!vscode.workspace.isTrusted) {
    // VS Code already hides the workspace's value of a restricted setting, even from inspect().
    return { ...bundled, restrictedReason: `Restricted Mode: ScanLens runs only its bundled model until you trust this workspace (${MODEL_SETTING} is ignored).` };
  }
  const value = vscode.workspace.getConfiguration().get<unknown>(MODEL_SETTING);
  // A plain type check rather than zod: this runs at activation, which loads no library.
  const configured = typeof value === 'string' ? value.trim() : '';
  if (configured === '') return bundled;
  const path = resolveSetting(configured);
  return { path, label: modelLabel(path), bundled: false };
}

import { isAbsolute, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { MODEL_SETTING, bundledModelPath, modelLabel } from './activeModel';
import { guarded, type CommandFailure } from './commandOutcome';
import { loadWithSettings } from './loadActiveModel';
import type { OutputLog } from './outputLog';

export interface ModelChoice {
  /** The model now in use (absolute path). */
  readonly path: string;
  readonly name: string;
  readonly bundled: boolean;
  /** True when restricted mode kept the bundled model. */
  readonly restricted: boolean;
}

interface ModelItem extends vscode.QuickPickItem {
  readonly path: string;
}

/** Tests and other extensions may pass the model path (or URI) instead of picking. */
const ArgSchema = z.union([z.string().min(1), z.custom<vscode.Uri>((v) => v instanceof vscode.Uri)]).optional();

async function pickModel(bundled: string): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/{model.json,*.onnx}', '**/node_modules/**', 500);
  const items: ModelItem[] = [
    { label: `$(package) ${modelLabel(bundled)}`, description: 'bundled demo model', path: bundled },
    ...found.map((uri) => ({ label: modelLabel(uri.fsPath), description: vscode.workspace.asRelativePath(uri, false), path: uri.fsPath })).sort((a, b) => a.description.localeCompare(b.description)),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'ScanLens: Select Model', placeHolder: 'Model manifest (model.json) or bare .onnx', matchOnDescription: true });
  return picked?.path;
}

/** A model inside the workspace is saved relative to it, so the setting travels with the folder. */
function settingValue(path: string): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!root) return path;
  const inside = relative(root, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside.split(sep).join('/');
}

/** "ScanLens: Select Model": quick pick, load to check, then save the setting. */
export function selectModelCommand(context: vscode.ExtensionContext, log: OutputLog) {
  return (arg?: unknown): Promise<ModelChoice | CommandFailure | undefined> =>
    guarded('select model', log, async () => {
      const bundled = bundledModelPath(context);
      if (!vscode.workspace.isTrusted) {
        const reason = 'Restricted Mode: ScanLens uses only its bundled model until you trust this workspace.';
        log.line(`select model: ${reason}`);
        void vscode.window.showWarningMessage(reason, 'Manage Workspace Trust').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
        });
        return { path: bundled, name: modelLabel(bundled), bundled: true, restricted: true };
      }
      const parsed = ArgSchema.safeParse(arg);
      if (!parsed.success) throw new Error('Select Model expects a model path');
      const given = parsed.data;
      const path = given === undefined ? await pickModel(bundled) : typeof given === 'string' ? given : given.fsPath;
      if (path === undefined) return undefined;
      // Load before saving, so a broken model is reported now and never becomes the setting.
      const { model } = await loadWithSettings(path);
      const isBundled = path === bundled;
      const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration().update(MODEL_SETTING, isBundled ? undefined : settingValue(path), target);
      log.line(`select model: ${model.manifest.name} (${path})`);
      return { path, name: model.manifest.name, bundled: isBundled, restricted: false };
    });
}

import * as vscode from 'vscode';
import type { LoadedModel } from '../core/model/loadModel';
import { getModel } from '../core/model/modelCache';
import { activeModel } from './activeModel';
import type { OutputLog } from './outputLog';

let toldRestricted = false;

/**
 * Loads (or reuses) the active model; the first call is where onnxruntime is
 * required. In restricted mode the user is told once why no workspace model is used.
 */
export interface ModelInUse {
  readonly model: LoadedModel;
  /** Why the bundled model was used instead of a workspace one (restricted mode). */
  readonly notice?: string;
}

export async function loadActiveModel(context: vscode.ExtensionContext, log: OutputLog): Promise<ModelInUse> {
  const active = activeModel(context);
  if (active.restrictedReason) {
    log.line(active.restrictedReason);
    if (!toldRestricted) {
      toldRestricted = true;
      void vscode.window.showWarningMessage(active.restrictedReason);
    }
  }
  const model = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `ScanLens: loading ${active.label}` },
    () => getModel(active.path),
  );
  return active.restrictedReason ? { model, notice: active.restrictedReason } : { model };
}

import * as vscode from 'vscode';
import { ScanLensError } from '../core/errors';
import { ExecutionProviderError } from '../core/model/executionProviders';
import type { LoadedModel } from '../core/model/loadModel';
import { getModel } from '../core/model/modelCache';
import { activeModel } from './activeModel';
import { PROVIDER_SETTING, type InferenceSettings } from './inferenceSettings';
import type { OutputLog } from './outputLog';
import { readInferenceSettings } from './readInferenceSettings';

let toldRestricted = false;

/** How long a model load may take before the status bar says it is loading. */
const PROGRESS_AFTER_MS = 50;

export interface ModelInUse {
  readonly model: LoadedModel;
  /** The provider and threads it was loaded with, from the settings. */
  readonly runtime: InferenceSettings;
  /** Why the bundled model was used instead of a workspace one (restricted mode). */
  readonly notice?: string;
}

/**
 * Loads (or reuses) a model the way the settings say it should run. Sessions
 * are cached per provider and thread count, so a changed setting gets a
 * fresh session on the next run.
 */
export async function loadWithSettings(path: string): Promise<{ model: LoadedModel; runtime: InferenceSettings }> {
  const runtime = readInferenceSettings();
  try {
    return { model: await getModel(path, runtime), runtime };
  } catch (error) {
    // A provider this runtime lists can still fail to start (CUDA libraries not installed, no GPU adapter).
    if (error instanceof ExecutionProviderError) throw new ScanLensError(`${PROVIDER_SETTING}: ${error.message}`);
    throw error;
  }
}

/**
 * Loads (or reuses) the active model; the first call is where onnxruntime is
 * required. In restricted mode the user is told once why no workspace model is used.
 */
export async function loadActiveModel(context: vscode.ExtensionContext, log: OutputLog): Promise<ModelInUse> {
  const active = activeModel(context);
  if (active.restrictedReason) {
    log.line(active.restrictedReason);
    if (!toldRestricted) {
      toldRestricted = true;
      void vscode.window.showWarningMessage(active.restrictedReason);
    }
  }
  const loading = loadWithSettings(active.path);
  // A model already loaded answers at once (every viewer slice asks): only a real load shows the status-bar progress.
  const ready = await Promise.race([loading, new Promise<undefined>((resolve) => setTimeout(resolve, PROGRESS_AFTER_MS, undefined))]);
  const { model, runtime } = ready ?? (await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `ScanLens: loading ${active.label}` }, () => loading));
  return active.restrictedReason ? { model, runtime, notice: active.restrictedReason } : { model, runtime };
}

import * as vscode from 'vscode';
import { availableProviders } from '../core/model/executionProviders';
import { PROVIDER_SETTING, THREADS_SETTING, parseInferenceSettings, type InferenceSettings } from './inferenceSettings';

/**
 * scanlens.provider and scanlens.threads as they are now, read on every run so
 * a change applies to the next one. In Restricted Mode VS Code withholds the
 * workspace's scanlens.provider (a restricted setting), leaving the user's own.
 */
export function readInferenceSettings(): InferenceSettings {
  const config = vscode.workspace.getConfiguration();
  return parseInferenceSettings(
    { provider: config.get<unknown>(PROVIDER_SETTING), threads: config.get<unknown>(THREADS_SETTING) },
    availableProviders().map((b) => b.name),
  );
}

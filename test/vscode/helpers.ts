import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';

/** The repository: suites are bundled to <root>/dist/test/vscode/. */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const EXTENSION_ID = 'scanlens.scanlens';
const SCREENSHOTS = join(ROOT, '.cache', 'screenshots');

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs an open workspace folder');
  return folder.uri.fsPath;
}

export function workspaceUri(...parts: string[]): vscode.Uri {
  return vscode.Uri.file(join(workspaceRoot(), ...parts));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Asks the runner (scripts/vscode/driveBrowser.mjs) for a screenshot of the
 * page and waits until the file exists. Where no runner listens (test-electron)
 * it gives up after a while and the suite goes on.
 */
export async function screenshot(name: string): Promise<boolean> {
  const file = join(SCREENSHOTS, `${name}.png`);
  rmSync(file, { force: true });
  console.log(`[scanlens:screenshot] ${file}`);
  for (let i = 0; i < 100; i++) {
    if (existsSync(file)) return true;
    await sleep(100);
  }
  console.log(`[scanlens] no screenshot taken for ${name}`);
  return false;
}

/** Clears old notifications and shows a file in the explorer, so a screenshot shows one action. */
export async function freshView(reveal?: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  if (reveal) await vscode.commands.executeCommand('revealInExplorer', reveal);
}

/** Commands return either their result or { error }; this narrows to the result. */
export function ok<T extends object>(result: T | { error: string } | undefined, what: string): T {
  if (result === undefined) throw new Error(`${what}: no result`);
  if ('error' in result && typeof result.error === 'string' && !('kind' in result)) throw new Error(`${what}: ${result.error}`);
  return result as T;
}

/**
 * The demo classifier guarded by the demo PaDiM detector, as a workspace model
 * in `folder`; returns the path to give scanlens.model.
 */
export function writeGuardedModel(folder: string): string {
  const target = join(workspaceRoot(), folder);
  mkdirSync(target, { recursive: true });
  copyFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.onnx'), join(target, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), 'utf8')) as Record<string, unknown>;
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), join(target, 'padim'), { recursive: true });
  writeFileSync(join(target, 'model.json'), JSON.stringify({ ...manifest, anomaly: { detector: 'padim' } }));
  return `${folder}/model.json`;
}

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { VIEWER_QUERY_COMMAND } from '../../src/host/viewer/registerViewer';
import type { ViewerState } from '../../src/protocol/viewerMessages';
import { workspaceRoot, workspaceUri } from '../vscode/helpers';
import { writeDicom512, writeNifti256 } from '../vscode/viewerFixtures';

/** Debian's mricron-data: a real 181×217×181 brain template, used when installed. */
const CH2 = '/usr/share/mricron/templates/ch2.nii.gz';
const HOST_STEPS = ['open', 'decoded', 'resolve', 'ready', 'info', 'slice', 'painted'] as const;
const PAGE_STEPS = ['navigation', 'script', 'info', 'slice', 'painted', 'model', 'plotly', 'chart'] as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const state = (uri: vscode.Uri): Promise<ViewerState | undefined> => Promise.resolve(vscode.commands.executeCommand<ViewerState>(VIEWER_QUERY_COMMAND, uri, { type: 'state' })).catch(() => undefined);

/** The host's marks for `uri` since `since` (performance.now() of this process), ms after it. */
function hostSteps(uri: vscode.Uri, since: number): Record<string, number> {
  const steps: Record<string, number> = {};
  for (const step of HOST_STEPS) {
    const mark = performance.getEntriesByName(`scanlens.viewer.${step}`).find((entry) => entry.startTime >= since && (entry as { detail?: unknown }).detail === uri.toString());
    if (mark) steps[step] = mark.startTime - since;
  }
  return steps;
}

/** Opens `uri` in the viewer and waits for the probabilities chart; every step in ms after the command. */
async function openOnce(uri: vscode.Uri, viewType: string): Promise<Record<string, number>> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await sleep(500);
  const since = performance.now();
  const sinceEpoch = performance.timeOrigin + since;
  await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
  for (let i = 0; i < 6000; i++) {
    const seen = await state(uri);
    if (seen?.error) throw new Error(`${uri.fsPath}: ${seen.error}`);
    const phases = seen?.opening?.phases;
    if (seen && phases?.['chart'] !== undefined && seen.pending === 0) {
      const page = seen.opening!;
      const result: Record<string, number> = {};
      for (const [step, ms] of Object.entries(hostSteps(uri, since))) result[`host.${step}`] = ms;
      for (const step of PAGE_STEPS) {
        const at = step === 'navigation' ? 0 : phases[step];
        if (at !== undefined) result[`page.${step}`] = page.timeOrigin + at - sinceEpoch;
      }
      return result;
    }
    await sleep(10);
  }
  throw new Error(`${uri.fsPath}: the viewer never drew its probabilities`);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Entry point the extension host calls (scripts/viewerTimings.mjs): opens each
 * scan N times and prints, per step of opening, ms after the open command —
 * the first open of the session (cold: engine and model load) and the median
 * of the others.
 */
export async function run(): Promise<void> {
  const n = Number(process.env['SCANLENS_TIMING_OPENS'] ?? 7);
  const folder = join(workspaceRoot(), 'timing');
  mkdirSync(folder, { recursive: true });
  const png = join(workspaceRoot(), 'samples', 'glioma-01.png');
  await writeDicom512(png, join(folder, 'brain-512.dcm'));
  await writeNifti256(png, join(folder, 'brain-256.nii'));
  const scans: [string, string][] = [
    ['brain-512.dcm', 'scanlens.viewer'],
    ['brain-256.nii', 'scanlens.viewer'],
    ['glioma-01.png', 'scanlens.viewer.image'],
  ];
  copyFileSync(png, join(folder, 'glioma-01.png'));
  if (existsSync(CH2)) {
    copyFileSync(CH2, join(folder, 'ch2.nii.gz'));
    scans.splice(2, 0, ['ch2.nii.gz', 'scanlens.viewer']);
  }
  const runs = new Map<string, Record<string, number>[]>();
  for (let round = 0; round <= n; round++) {
    for (const [name, viewType] of scans) {
      const key = round === 0 && name === scans[0]![0] ? `${name} (cold)` : name;
      const list = runs.get(key) ?? [];
      list.push(await openOnce(workspaceUri('timing', name), viewType));
      runs.set(key, list);
    }
  }
  const columns = [...HOST_STEPS.map((s) => `host.${s}`), ...PAGE_STEPS.map((s) => `page.${s}`)];
  console.log(`[scanlens:timings] ms after vscode.openWith; medians over N opens (N=${n}, the first open of the session shown apart)`);
  for (const [key, list] of runs) {
    const cells = columns.map((c) => {
      const values = list.map((r) => r[c]).filter((v): v is number => v !== undefined);
      return `${c}=${values.length ? median(values).toFixed(0) : '-'}`;
    });
    console.log(`[scanlens:timings] ${key} (N=${list.length}): ${cells.join(' ')}`);
  }
}

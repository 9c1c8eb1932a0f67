import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { decodeNifti } from '../../src/core/scan/niftiDecoder';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { resliceScan } from '../../src/core/scan/reslice';
import { VIEWER_QUERY_COMMAND } from '../../src/host/viewer/registerViewer';
import type { Axis, ExportResult, ViewerState, WebviewRequest } from '../../src/protocol/viewerMessages';
import { LESION_SLICE, VOLUME_SLICES, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT, freshView, screenshot, sleep, workspaceRoot, workspaceUri, writeGuardedModel } from './helpers';

/** The meningioma in samples/anomaly/lesion/meningioma-02.png (the guarded volume's lesion slice, shown upright): its centre in the sample's pixels, and its radius. */
const LESION = { x: 39, y: 92, radius: 7 };
const SIDE = 128;

function query<T = ViewerState>(uri: vscode.Uri, request: WebviewRequest = { type: 'state' }): Promise<T> {
  return Promise.resolve(vscode.commands.executeCommand<T>(VIEWER_QUERY_COMMAND, uri, request));
}

/** Polls until the page is idle with the anomaly map on screen and `what` holds. */
async function settled(uri: vscode.Uri, what: (s: ViewerState) => boolean): Promise<ViewerState> {
  let last: unknown;
  for (let i = 0; i < 1600; i++) {
    const state = await query(uri).catch((error: unknown) => ((last = error), undefined));
    if (state?.error) throw new Error(`viewer shows an error: ${state.error}`);
    if (state && state.paints > 0 && state.pending === 0 && state.overlay.shown && state.overlay.method === 'anomaly' && state.overlay.anomaly && state.overlay.peak && what(state)) return state;
    last = state ?? (last instanceof Error ? last.message : last);
    await sleep(25);
  }
  throw new Error(`viewer did not settle: ${JSON.stringify(last)}`);
}

suite('scan viewer: a 2D model’s anomaly detector over a volume', function () {
  this.timeout(180_000);
  let volume: vscode.Uri;

  suiteSetup(async () => {
    const guarded = writeGuardedModel('guarded3d');
    mkdirSync(join(workspaceRoot(), 'anomaly3d'), { recursive: true });
    await writeGuardedVolume(join(workspaceRoot(), 'anomaly3d', 'volume.nii'), ROOT);
    volume = workspaceUri('anomaly3d', 'volume.nii');
    await vscode.workspace.getConfiguration().update('scanlens.model', guarded, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration().update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('the volume’s 3D map, scored once along the axial slices on one fixed scale: the lesion under its peak on the axial view and in the coronal and sagittal slices through it', async () => {
    // Where each axis shows a stored voxel: a volume marking it, cut as the viewer cuts the scan. The sample is stored turned half a circle (writeGuardedVolume).
    const scan = await decodeNifti(readFileSync(volume.fsPath), volume.fsPath, DEFAULT_LIMITS);
    const where = (voxel: number, axis: Axis): { slice: number; x: number; y: number } => {
      const marked = new Float32Array(scan.voxels.length);
      marked[voxel] = 1;
      const cut = resliceScan({ ...scan, channels: 1, voxels: marked }, axis);
      const at = cut.voxels.indexOf(1);
      const [, height, width] = cut.shape;
      return { slice: Math.floor(at / (height * width)), x: at % width, y: Math.floor(at / width) % height };
    };
    const lesion = (LESION_SLICE * SIDE + (SIDE - 1 - LESION.y)) * SIDE + (SIDE - 1 - LESION.x);
    assert.equal(where(lesion, 'axial').slice, LESION_SLICE);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.openWith', volume, 'scanlens.viewer');
    await settledPaint(volume);
    await query(volume, { type: 'goto', axis: 'axial', index: LESION_SLICE });
    await query(volume, { type: 'overlay', shown: true, method: 'anomaly' });
    const first = await settled(volume, (s) => s.axis === 'axial' && s.slice === LESION_SLICE);
    const anomaly = first.overlay.anomaly!;
    assert.deepEqual(anomaly.volume, { axis: 'axial', slice: LESION_SLICE, count: VOLUME_SLICES.length }, 'the score is the volume’s: its highest slice');
    assert.ok(anomaly.score >= anomaly.threshold, JSON.stringify(anomaly));
    // The fixed scale: the volume's highest value (its score) at value / (2 × threshold) on the lesion slice.
    const top = first.overlay.peak!;
    assert.ok(Math.abs(top.value - Math.min(1, anomaly.score / (2 * anomaly.threshold))) <= 1e-5, `axial peak ${top.value}, score ${anomaly.score}, threshold ${anomaly.threshold}`);
    // The stored voxel under the axial peak: a volume of voxel numbers cut there.
    const numbered = resliceScan({ ...scan, channels: 1, voxels: Float32Array.from({ length: scan.voxels.length }, (_, i) => i) }, 'axial');
    const peakVoxel = numbered.voxels[(LESION_SLICE * SIDE + top.y) * SIDE + top.x]!;
    for (const axis of ['axial', 'coronal', 'sagittal'] as const) {
      // The slice through the lesion's centre: high values (over the threshold's mid-colour) within the lesion.
      const centre = where(lesion, axis);
      await query(volume, { type: 'goto', axis, index: centre.slice });
      const state = await settled(volume, (s) => s.axis === axis && s.slice === centre.slice);
      const peak = state.overlay.peak!;
      console.log(`[scanlens] anomaly 3D map, ${axis} slice ${centre.slice}: peak ${peak.value.toFixed(3)} at (${peak.x}, ${peak.y}), lesion centre (${centre.x}, ${centre.y})`);
      assert.ok(peak.value >= 0.5, `${axis}: peak ${peak.value} under the threshold`);
      assert.ok(Math.hypot(peak.x - centre.x, peak.y - centre.y) <= LESION.radius, `${axis}: peak (${peak.x}, ${peak.y}), lesion centre (${centre.x}, ${centre.y})`);
      assert.deepEqual(state.overlay.anomaly, anomaly, 'the legend keeps the volume’s score on every axis');
      // The slice through the volume's peak voxel: the same value as on the axial view, on that voxel.
      const through = where(peakVoxel, axis);
      await query(volume, { type: 'goto', axis, index: through.slice });
      const again = await settled(volume, (s) => s.axis === axis && s.slice === through.slice);
      assert.deepEqual(again.overlay.peak, { x: through.x, y: through.y, value: top.value }, `${axis} slice ${through.slice} through the volume's peak`);
      if (axis === 'coronal') await screenshot('viewer-anomaly-3d-coronal');
    }
    // Fixed scale, not per slice: a normal axial slice stays under the threshold's mid-colour.
    await query(volume, { type: 'goto', axis: 'axial', index: 1 });
    const calm = await settled(volume, (s) => s.axis === 'axial' && s.slice === 1);
    assert.ok(calm.overlay.peak!.value < 0.5, `normal slice peak ${calm.overlay.peak!.value}`);
    // Export Report draws the map on screen: the coronal slice through the lesion, from the volume's map.
    await query(volume, { type: 'goto', axis: 'coronal', index: where(lesion, 'coronal').slice });
    await settled(volume, (s) => s.axis === 'coronal');
    const written = await query<ExportResult>(volume, { type: 'export' });
    const report = JSON.parse(readFileSync(written.json, 'utf8')) as { anomalyMap?: { volume?: { axis: string; slice: number; count: number; score: number } } };
    assert.deepEqual(report.anomalyMap?.volume, { axis: 'axial', slice: LESION_SLICE, count: VOLUME_SLICES.length, score: anomaly.score });
    await freshView();
  });
});

/** Waits for the first paint of the opened volume. */
async function settledPaint(uri: vscode.Uri): Promise<void> {
  for (let i = 0; i < 1600; i++) {
    const state = await query(uri).catch(() => undefined);
    if (state && state.paints > 0 && state.pending === 0) return;
    await sleep(25);
  }
  throw new Error('viewer did not paint');
}

import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { resliceScan } from '../../src/core/scan/reslice';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { decodeNifti } from '../../src/core/scan/niftiDecoder';
import { explainVolumeScan } from '../../src/core/jobs/explainVolumeJob';
import { loadModel } from '../../src/core/model/loadModel';
import { VIEWER_QUERY_COMMAND } from '../../src/host/viewer/registerViewer';
import type { Axis, ViewerState, WebviewRequest } from '../../src/protocol/viewerMessages';
import type { Scan } from '../../src/core/scan/scan';
import { voxelOf } from '../helpers/voxelOf';
import { ROOT, freshView, screenshot, sleep, workspaceRoot, workspaceUri } from './helpers';
import { writeNifti256 } from './viewerFixtures';

/** The blob-detector 3D model and the oblique, non-RAS, anisotropic volume with a lesion at known world mm (scripts/reference/make_3d_inverse_reference.py). */
const ALIGNMENT = join(ROOT, 'test', 'fixtures', 'volume3d', 'alignment');
const AXES: Axis[] = ['axial', 'coronal', 'sagittal'];

function query(uri: vscode.Uri, request: WebviewRequest = { type: 'state' }): Promise<ViewerState> {
  return Promise.resolve(vscode.commands.executeCommand<ViewerState>(VIEWER_QUERY_COMMAND, uri, request));
}

/** Polls until the page is idle with the whole volume's probabilities (of `classes` classes) and a 3D map on screen. */
async function settled(uri: vscode.Uri, what: (s: ViewerState) => boolean = () => true, classes = 2): Promise<ViewerState> {
  let last: unknown;
  for (let i = 0; i < 1600; i++) {
    const state = await query(uri).catch((error: unknown) => ((last = error), undefined));
    if (state?.error) throw new Error(`viewer shows an error: ${state.error}`);
    if (state && state.paints > 0 && state.pending === 0 && state.probabilities.length === classes && state.overlay.shown && state.overlay.mapSize?.length === 3 && what(state)) return state;
    last = state ?? (last instanceof Error ? last.message : last);
    await sleep(25);
  }
  throw new Error(`viewer did not settle: ${JSON.stringify(last)}`);
}

/** Where the viewer shows stored voxel (x, y, z) of `scan` on `axis`: its slice and pixel, found by cutting a volume marking it as the viewer cuts the scan. */
function shownAt(scan: Scan, [x, y, z]: readonly number[], axis: Axis): { slice: number; x: number; y: number } {
  const [nz, ny, nx] = scan.shape;
  const marked = new Float32Array(nz * ny * nx);
  marked[(z! * ny + y!) * nx + x!] = 1;
  const cut = resliceScan({ ...scan, channels: 1, voxels: marked }, axis);
  const at = cut.voxels.indexOf(1);
  const [, height, width] = cut.shape;
  return { slice: Math.floor(at / (height * width)), x: at % width, y: Math.floor(at / width) % height };
}

/** A NIfTI decoded here, in the test, as the host decodes it in its worker. */
const decoded = (uri: vscode.Uri): Promise<Scan> => decodeNifti(gunzipSync(readFileSync(uri.fsPath)), uri.fsPath, DEFAULT_LIMITS);

suite('scan viewer with a 3D model', function () {
  // A first 3D explanation maps the volume's map back onto every voxel; on a busy 2-core machine that and the page's start take a while.
  this.timeout(180_000);
  let volume: vscode.Uri;
  let big: vscode.Uri;

  suiteSetup(async () => {
    const models = join(workspaceRoot(), 'models3d', 'alignment');
    mkdirSync(models, { recursive: true });
    for (const file of ['model.json', 'model.onnx']) copyFileSync(join(ALIGNMENT, file), join(models, file));
    const volumes = join(workspaceRoot(), 'volumes3d');
    mkdirSync(volumes, { recursive: true });
    copyFileSync(join(ALIGNMENT, 'volume.nii.gz'), join(volumes, 'alignment.nii.gz'));
    await writeNifti256(join(workspaceRoot(), 'samples', 'glioma-01.png'), join(volumes, 'brain-256.nii'));
    volume = workspaceUri('volumes3d', 'alignment.nii.gz');
    big = workspaceUri('volumes3d', 'brain-256.nii');
    await vscode.workspace.getConfiguration().update('scanlens.model', 'models3d/alignment/model.json', vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration().update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test("the lesion at known world mm: the 3D Grad-CAM's peak is on it in the slice through it on every axis", async () => {
    const lesion = JSON.parse(readFileSync(join(ALIGNMENT, 'lesion.json'), 'utf8')) as { storedVoxel: [number, number, number] };
    const scan = await decoded(volume);
    const voxel = lesion.storedVoxel.map(Math.round);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.openWith', volume, 'scanlens.viewer');
    const first = await settled(volume);
    assert.equal(first.overlay.method, 'gradcam');
    for (const axis of AXES) {
      const expected = shownAt(scan, voxel, axis);
      await query(volume, { type: 'goto', axis, index: expected.slice });
      const state = await settled(volume, (s) => s.axis === axis && s.slice === expected.slice && s.overlay.peak !== undefined);
      const peak = state.overlay.peak!;
      console.log(`[scanlens] 3D Grad-CAM in the viewer, ${axis} slice ${expected.slice}: peak at (${peak.x}, ${peak.y}), lesion at (${expected.x}, ${expected.y})`);
      assert.ok(Math.abs(peak.x - expected.x) <= 1 && Math.abs(peak.y - expected.y) <= 1, `${axis}: peak (${peak.x}, ${peak.y}) vs lesion (${expected.x}, ${expected.y})`);
      assert.ok(peak.value > 0.5, `the lesion is hot on the volume's scale (${peak.value})`);
    }
    const profile = await query(volume, { type: 'profile' });
    assert.match(profile.error ?? '', /3D model: it classifies the volume whole/);
  });

  test('a 256³ volume: the 3D map follows each slice change on all three axes (timings printed)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vscode.openWith', big, 'scanlens.viewer');
    await settled(big);
    const [follow, drawn] = [[] as number[], [] as number[]];
    for (const axis of AXES) {
      // Slices through the part of the head the model's 28×40×24 input at 1.5 mm covers: elsewhere the map is NaN, nothing drawn.
      for (const index of [118, 127, 128, 129, 138]) {
        const moved = await query(big, { type: 'goto', axis, index });
        assert.equal(moved.slice, index);
        const state = await settled(big, (s) => s.axis === axis && s.slice === index && s.lastOverlayMs !== undefined && s.overlay.peak !== undefined);
        follow.push(state.lastOverlayMs!);
        drawn.push(state.lastSliceMs!);
      }
    }
    // The map's cut travels with the slice: the slice's own time counts it.
    const median = (values: number[]): string => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(1);
    console.log(
      `[scanlens:timing] viewer, 256³ volume with a 3D model: the map overlay follows a slice change ${median(follow)} ms after the slice is drawn (median of ${follow.length}, slowest ${follow.at(-1)!.toFixed(1)} ms); slice request → drawn with its map ${median(drawn)} ms (slowest ${drawn.at(-1)!.toFixed(1)} ms)`,
    );
  });

  test("the bundled 3D demo on its glioma sample: the volume's probabilities, and its Grad-CAM over the tumour on all three axes (screenshots)", async () => {
    const demo = join(workspaceRoot(), 'models3d', 'demo');
    mkdirSync(demo, { recursive: true });
    for (const file of ['model.json', 'model.onnx']) copyFileSync(join(ROOT, 'models', 'brain-mri-3d-demo', file), join(demo, file));
    copyFileSync(join(ROOT, 'samples', 'volumes', 'glioma-3d.nii.gz'), join(workspaceRoot(), 'volumes3d', 'glioma-3d.nii.gz'));
    const reference = JSON.parse(readFileSync(join(ROOT, 'models', 'brain-mri-3d-demo', 'reference.json'), 'utf8')) as { samples: Record<string, { centre_mm: number[]; logits: number[] }> };
    const drawn = reference.samples['glioma-3d.nii.gz']!;
    const glioma = workspaceUri('volumes3d', 'glioma-3d.nii.gz');
    await vscode.workspace.getConfiguration().update('scanlens.model', 'models3d/demo/model.json', vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('vscode.openWith', glioma, 'scanlens.viewer');
      const first = await settled(glioma, () => true, 4);
      const exp = drawn.logits.map((l) => Math.exp(l - Math.max(...drawn.logits)));
      first.probabilities.forEach((p, i) => assert.ok(Math.abs(p - exp[i]! / exp.reduce((a, b) => a + b, 0)) < 1e-4, `class ${i}: viewer ${p}`));
      // The tumour's centre, from world mm to the stored voxel through the scan's affine.
      const scan = await decoded(glioma);
      const voxel = voxelOf(scan.affine!, drawn.centre_mm).map(Math.round);
      for (const axis of AXES) {
        const at = shownAt(scan, voxel, axis);
        await query(glioma, { type: 'goto', axis, index: at.slice });
        const state = await settled(glioma, (s) => s.axis === axis && s.slice === at.slice && s.overlay.peak !== undefined, 4);
        console.log(`[scanlens] 3D demo Grad-CAM, ${axis} slice ${at.slice}: peak at (${state.overlay.peak!.x}, ${state.overlay.peak!.y}), tumour centre at (${at.x}, ${at.y})`);
        await freshView();
        await screenshot(`viewer-3d-${axis}`);
      }
    } finally {
      await vscode.workspace.getConfiguration().update('scanlens.model', 'models3d/alignment/model.json', vscode.ConfigurationTarget.Workspace);
    }
  });

  test("a four-sequence model on a subject's FLAIR file: the subject's sequences read from its folder, PyTorch's probabilities, and the map (made on the T1 grid) carried onto the FLAIR's voxels with its peak where the CLI places it", async () => {
    const fixture = join(ROOT, 'test', 'fixtures', 'volume3d', 'multichannel');
    const models = join(workspaceRoot(), 'models3d', 'four');
    mkdirSync(models, { recursive: true });
    for (const file of ['model.json', 'model.onnx']) copyFileSync(join(fixture, file), join(models, file));
    const subject = join(workspaceRoot(), 'volumes3d', 'BraTS-demo-001');
    mkdirSync(subject, { recursive: true });
    for (const sequence of ['t1', 't1ce', 't2', 'flair'])
      copyFileSync(join(fixture, 'subject', 'BraTS-demo-001', `BraTS-demo-001_${sequence}.nii.gz`), join(subject, `BraTS-demo-001_${sequence}.nii.gz`));
    const reference = JSON.parse(readFileSync(join(fixture, 'reference.json'), 'utf8')) as { subject: { logits: number[] } };
    // Where the engine places the map's peak, in world mm: the sequences in the model's order, explained as `scanlens explain` explains the folder.
    const model = await loadModel(join(models, 'model.json'));
    const sequences = await Promise.all(['t1', 't1ce', 't2', 'flair'].map((sequence) => decoded(vscode.Uri.file(join(subject, `BraTS-demo-001_${sequence}.nii.gz`)))));
    const job = await explainVolumeScan(model, sequences, { method: 'gradcam' });
    await model.session.release();
    const flair = workspaceUri('volumes3d', 'BraTS-demo-001', 'BraTS-demo-001_flair.nii.gz');
    await vscode.workspace.getConfiguration().update('scanlens.model', 'models3d/four/model.json', vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('vscode.openWith', flair, 'scanlens.viewer');
      const first = await settled(flair, () => true, 3);
      const { logits } = reference.subject;
      const exp = logits.map((l) => Math.exp(l - Math.max(...logits)));
      first.probabilities.forEach((p, i) => assert.ok(Math.abs(p - exp[i]! / exp.reduce((a, b) => a + b, 0)) < 1e-4, `class ${i}: viewer ${p}`));
      const scan = await decoded(flair);
      const voxel = voxelOf(scan.affine!, [...job.peak.world!]).map(Math.round);
      for (const axis of AXES) {
        const at = shownAt(scan, voxel, axis);
        await query(flair, { type: 'goto', axis, index: at.slice });
        const state = await settled(flair, (s) => s.axis === axis && s.slice === at.slice && s.overlay.peak !== undefined, 3);
        const peak = state.overlay.peak!;
        console.log(`[scanlens] four-sequence Grad-CAM on the FLAIR, ${axis} slice ${at.slice}: peak at (${peak.x}, ${peak.y}), engine's peak at (${at.x}, ${at.y})`);
        assert.ok(Math.abs(peak.x - at.x) <= 2 && Math.abs(peak.y - at.y) <= 2, `${axis}: viewer peak (${peak.x}, ${peak.y}) vs the engine's (${at.x}, ${at.y})`);
      }
    } finally {
      await vscode.workspace.getConfiguration().update('scanlens.model', 'models3d/alignment/model.json', vscode.ConfigurationTarget.Workspace);
    }
  });
});

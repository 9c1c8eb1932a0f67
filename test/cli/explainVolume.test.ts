import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { decodePlainPng } from '../../src/core/scan/pngDecoder';
import { releaseModels } from '../../src/core/model/modelCache';
import { releaseExplainSessions } from '../../src/core/explain/explainSessions';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput, ErrorOutput } from '../../src/notebook/outputs/notebookOutput';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/** The seeded 3D classifier and oblique volume of scripts/reference/make_3d_reference.py. */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'volume3d');
const MODEL = join(FIXTURE, 'model.json');
const VOLUME = join(FIXTURE, 'volume.nii.gz');
const SERIES = join(ROOT, 'test', 'fixtures', 'dicom', 'series');
const work = mkdtempSync(join(tmpdir(), 'scanlens-explain-volume-'));
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseExplainSessions();
  await releaseModels();
});

interface VolumeExplanation {
  class: { index: number; label: string };
  layer: { tensor: string; source: string };
  probabilities: number[];
  map: { axes: string[]; depth: number; height: number; width: number; tensor: { depth: number; height: number; width: number }; data: number[] };
  peak: { tensor: [number, number, number]; value: number; voxel: [number, number, number] | null; world: [number, number, number] | null };
  montage?: string;
}

function classifyProbabilities(input: string): number[] {
  const result = runCli(['classify', input, '--model', MODEL, '--json']);
  const rows = (JSON.parse(result.stdout) as { results: { probabilities?: number[] }[] }).results.filter((r) => r.probabilities);
  assert.equal(rows.length, 1, result.stdout);
  return rows[0]!.probabilities!;
}

test('explain a volume with a 3D model: the class, the probabilities classify gives, the layer, the map on the tensor grid and its peak in the tensor, the scan and the world, as text and JSON', () => {
  const json = runCli(['explain', VOLUME, '--model', MODEL, '--method', 'layercam', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const result = JSON.parse(json.stdout) as VolumeExplanation;
  assert.deepEqual(result.probabilities, classifyProbabilities(VOLUME));
  assert.deepEqual(result.class, { index: 1, label: 'meningioma' });
  assert.deepEqual(result.layer, { tensor: '/layer2/relu_1/Relu_output_0', source: 'automatic' });
  assert.deepEqual([result.map.depth, result.map.height, result.map.width, result.map.data.length], [4, 6, 8, 192]);
  assert.deepEqual(result.map.tensor, { depth: 16, height: 24, width: 32 });
  assert.equal(result.peak.value, 1);
  assert.ok(result.peak.voxel && result.peak.world, JSON.stringify(result.peak));
  const text = runCli(['explain', VOLUME, '--model', MODEL, '--method', 'layercam']);
  assert.equal(text.status, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.match(lines[0]!, /volume\.nii\.gz {2}volume {2}layercam {2}meningioma 0\.428 {2}layer \/layer2\/relu_1\/Relu_output_0 \(automatic\)$/);
  assert.match(lines[1]!, /probabilities {2}glioma 0\.222 {2}meningioma 0\.428 {2}notumor 0\.350/);
  const [d, h, w] = result.peak.tensor;
  const [x, y, z] = result.peak.voxel!;
  assert.ok(
    lines[2]!.includes(`map 4×6×8 at the layer, 16×24×32 on the tensor grid (D×H×W along R, A, S); peak at tensor (d, h, w) (${d}, ${h}, ${w}), scan voxel (x, y, z) (${x}, ${y}, ${z}), world (`),
    lines[2],
  );
});

test('--out montage.png: the axial, coronal and sagittal planes through the peak side by side, the peak in the hottest colour where the viewer would draw it', () => {
  const out = join(work, 'montage.png');
  const result = runCli(['explain', VOLUME, '--model', MODEL, '--method', 'layercam', '--out', out, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const { peak, montage } = JSON.parse(result.stdout) as VolumeExplanation;
  assert.equal(montage, out);
  const png = decodePlainPng(readFileSync(out), out, DEFAULT_LIMITS)!;
  // 16×24×32 enlarged 8 times: axial R×A (128×192), coronal R×S (128×256), sagittal A×S (192×256), 4-pixel gaps.
  assert.deepEqual([png.shape[2], png.shape[1], png.channels], [128 + 4 + 128 + 4 + 192, 256, 3]);
  const rgb = (column: number, row: number): number[] => [0, 1, 2].map((c) => png.voxels[(row * png.shape[2] + column) * 3 + c]!);
  const [d, h, w] = peak.tensor;
  // Radiological: the patient's right on the left, anterior and superior up, the face to the left.
  const panels = [
    [(16 - 1 - d) * 8 + 4, (24 - 1 - h) * 8 + 4],
    [132 + (16 - 1 - d) * 8 + 4, (32 - 1 - w) * 8 + 4],
    [264 + (24 - 1 - h) * 8 + 4, (32 - 1 - w) * 8 + 4],
  ];
  for (const [column, row] of panels) {
    const [r, , b] = rgb(column!, row!);
    assert.ok(r! > b! + 40, `the peak at (${column}, ${row}) is ${rgb(column!, row!).join(', ')}, not red`);
  }
});

test('a DICOM series folder is explained as one volume, with the probabilities classify gives the series', () => {
  const result = runCli(['explain', SERIES, '--model', MODEL, '--method', 'gradcam++', '--json']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual((JSON.parse(result.stdout) as VolumeExplanation).probabilities, classifyProbabilities(SERIES));
});

test('for a 3D model, methods and flags that only apply to slices are refused in one line before the volume is read', () => {
  const cases: [string[], RegExp][] = [
    [['--method', 'occlusion'], /^scanlens: occlusion does not explain 3D models \(NCDHW\) yet; use gradcam, .*scorecam or ablationcam\n$/],
    [['--method', 'fullgrad'], /^scanlens: fullgrad does not explain 3D models/],
    [['--aug-smooth'], /^scanlens: aug_smooth does not apply to 3D models \(NCDHW\)/],
    [['--axis', 'coronal'], /^scanlens: a 3D model \(NCDHW\) explains the whole volume: --axis and --slice choose a 2D model's slice\n$/],
    [['--score'], /^scanlens: the scorecard \(--score, --mask\) does not score 3D explanations yet\n$/],
    [['--out', join(work, 'map.jpg')], /map\.jpg: for a 3D model --out writes \.nii or \.nii\.gz \(the map on the scan's voxels\) or \.png/],
  ];
  for (const [flags, message] of cases) {
    const result = runCli(['explain', join(work, 'no-such-volume.nii.gz'), '--model', MODEL, ...flags]);
    assert.equal(result.status, 1, flags.join(' '));
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
});

test("the peak's world point and the tensor grid's affine agree with nibabel's: the alignment volume's Grad-CAM peaks where PyTorch's activation does, at the same mm", () => {
  const folder = join(FIXTURE, 'alignment');
  const expected = (JSON.parse(readFileSync(join(folder, 'lesion.json'), 'utf8')) as { pytorch: { activationPeak: number[]; activationPeakWorld: number[] } }).pytorch;
  const result = runCli(['explain', join(folder, 'volume.nii.gz'), '--model', join(folder, 'model.json'), '--class', 'lesion', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const { peak, tensorAffine } = JSON.parse(result.stdout) as VolumeExplanation & { tensorAffine: number[][] };
  assert.deepEqual(peak.tensor, expected.activationPeak);
  const viaAffine = [0, 1, 2].map((r) => tensorAffine[r]![0]! * peak.tensor[0] + tensorAffine[r]![1]! * peak.tensor[1] + tensorAffine[r]![2]! * peak.tensor[2] + tensorAffine[r]![3]!);
  for (const world of [peak.world!, viaAffine]) {
    assert.ok(
      world.every((v, a) => Math.abs(v - expected.activationPeakWorld[a]!) < 1e-3),
      `${world.join(', ')} against nibabel's ${expected.activationPeakWorld.join(', ')}`,
    );
  }
});

test("a notebook cell explains a volume with a 3D model as the CLI does: the montage of the peak's planes and the CLI's lines; slice options are one line", async () => {
  cpSync(VOLUME, join(work, 'volume.nii.gz'));
  const session = new NotebookSession({ baseDir: work, defaultModelPath: MODEL, threads: 1 });
  const run = await executeCell(session, 'explain volume.nii.gz method=layercam');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const output = run.outputs[0] as DisplayOutput;
  const cli = runCli(['explain', 'volume.nii.gz', '--model', MODEL, '--method', 'layercam', '--out', join(work, 'cli.png')], work);
  assert.equal(output.data['text/plain'], cli.stdout.trim().replace(`  → ${join(work, 'cli.png')}`, ''));
  assert.deepEqual(Buffer.from(String(output.data['image/png']), 'base64'), readFileSync(join(work, 'cli.png')));
  const refused = await executeCell(session, 'explain volume.nii.gz axis=coronal');
  assert.match(
    (refused.outputs[0] as ErrorOutput).message,
    /line 1: explain volume\.nii\.gz axis=coronal — a 3D model \(NCDHW\) explains the whole volume: axis= and slice= choose a 2D model's slice$/,
  );
});

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { classifyInputs, isSubject } from '../../../src/core/jobs/classifyInputs';
import { classifyJob, type ClassifyResult } from '../../../src/core/jobs/classifyJob';
import { explainVolumeJob } from '../../../src/core/jobs/explainVolumeJob';
import { channelsAround, loadChannels } from '../../../src/core/jobs/volumeChannels';
import { loadModel, type LoadedModel } from '../../../src/core/model/loadModel';
import { ManifestSchema } from '../../../src/core/model/manifest';
import { runModel } from '../../../src/core/model/runModel';
import { matchGrid } from '../../../src/core/preprocess/matchGrid';
import { prepareVolume } from '../../../src/core/preprocess/volume3d';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { listScans } from '../../../src/core/scan/listScans';
import { loadScan } from '../../../src/core/scan/loadScan';
import { sequenceOf } from '../../../src/core/scan/sequenceNames';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { ROOT } from '../../helpers/paths';

/**
 * A seeded four-sequence 3D classifier (t1, t1c, t2, flair) and one synthetic
 * head given as a subject folder of four files on four different grids and
 * as a 4D NIfTI, with PyTorch's logits for each (scripts/reference/make_multichannel_reference.py).
 */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'volume3d', 'multichannel');
const SUBJECT = join(FIXTURE, 'subject', 'BraTS-demo-001');
const STACK = join(FIXTURE, 'stack4d.nii.gz');
interface Reference {
  subject: { logits: number[]; channelSums: number[]; flairOnT1: { sum: number; first: number[] } };
  stack4d: { logits: number[]; channelSums: number[] };
}
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as Reference;
const file = (sequence: string): string => join(SUBJECT, `BraTS-demo-001_${sequence}.nii.gz`);
const work = mkdtempSync(join(tmpdir(), 'scanlens-multi-sequence-'));
let model: LoadedModel;

before(async () => {
  model = await loadModel(join(FIXTURE, 'model.json'), { threads: 1 });
});
after(async () => {
  await model.session.release();
  await releaseExplainSessions();
  rmSync(work, { recursive: true, force: true });
});

const within = (actual: ArrayLike<number>, expected: readonly number[], tolerance: number, what: string): void => {
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i]! - e) <= tolerance, `${what} ${i}: ${actual[i]} vs ${e}`));
};

const channelSums = (tensor: Float32Array): number[] => {
  const n = tensor.length / 4;
  return [0, 1, 2, 3].map((c) => tensor.subarray(c * n, (c + 1) * n).reduce((a, b) => a + b, 0));
};

async function subjectInput(folder: string) {
  const inputs = await classifyInputs((await listScans(folder)).files, DEFAULT_LIMITS, { sequences: model.manifest.input.sequences });
  assert.equal(inputs.length, 1, JSON.stringify(inputs));
  return inputs[0]!;
}

test('sequence names are read from the last part of a file name that names one, with the BraTS and BIDS spellings', () => {
  const sequences = ['t1', 't1c', 't2', 'flair'];
  const cases: [string, number | undefined][] = [
    ['BraTS20_Training_001_t1.nii.gz', 0],
    ['BraTS20_Training_001_t1ce.nii.gz', 1],
    ['BraTS-GLI-00000-000-t1c.nii.gz', 1],
    ['BraTS-GLI-00000-000-t1n.nii.gz', 0],
    ['BraTS-GLI-00000-000-t2w.nii.gz', 2],
    ['BraTS-GLI-00000-000-t2f.nii.gz', 3],
    ['sub-01_ses-1_T1w.nii.gz', 0],
    ['sub-01_FLAIR.nii', 3],
    ['t2_then_flair.nii.gz', 3],
    ['BraTS20_Training_001_seg.nii.gz', undefined],
    ['t1c_brain_mask.nii.gz', 1],
    ['st1.nii.gz', undefined],
  ];
  for (const [name, expected] of cases) assert.equal(sequenceOf(name, sequences), expected, name);
});

test('the manifest takes several channels for a 3D model with one sequence name and mean/std value per channel, and refuses what does not add up', () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'model.json'), 'utf8')) as { input: Record<string, unknown> };
  assert.deepEqual(ManifestSchema.parse(manifest).input.sequences, ['t1', 't1c', 't2', 'flair']);
  const issues = (input: Record<string, unknown>): string[] => {
    const parsed = ManifestSchema.safeParse({ ...manifest, input: { ...manifest.input, ...input } });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.deepEqual(issues({ sequences: ['t1', 't2', 'flair'] }), ['input.sequences: names 3 sequence(s) for 4 channel(s): one per channel']);
  assert.deepEqual(issues({ sequences: ['t1', 't1', 't2', 'flair'] }), ['input.sequences: names a sequence twice']);
  assert.deepEqual(issues({ mean: [0, 0] }), ['input.mean: needs 1 value or 4 (one per channel), got 2']);
  assert.match(issues({ layout: 'NCHW', size: { width: 8, height: 8 }, spacing: undefined }).join('; '), /input\.channels: a 2D model takes 1 or 3 channels, not 4/);
});

test('a sequence on another grid is resampled onto the first through the affines as scipy does it (map_coordinates, trilinear, border repeated)', async () => {
  const [t1, flair] = await Promise.all([loadScan(file('t1')), loadScan(file('flair'))]);
  const matched = matchGrid(t1, flair, 'flair');
  assert.deepEqual(matched.shape, t1.shape);
  assert.deepEqual(matched.affine, t1.affine);
  within(matched.voxels.subarray(0, 16), reference.subject.flairOnT1.first, 1e-3, 'flair on the t1 grid');
  const sum = Array.from(matched.voxels).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - reference.subject.flairOnT1.sum) <= 1e-6 * Math.abs(reference.subject.flairOnT1.sum), `sum ${sum} vs ${reference.subject.flairOnT1.sum}`);
});

test("a subject folder's four sequences on four grids, and a 4D NIfTI, give PyTorch's logits within 1e-4; swapped channels do not", async () => {
  const subject = await subjectInput(SUBJECT);
  assert.ok(isSubject(subject));
  assert.equal(subject.key, SUBJECT);
  assert.deepEqual(
    subject.files.map((f) => basename(f)),
    ['t1', 't1ce', 't2', 'flair'].map((s) => `BraTS-demo-001_${s}.nii.gz`),
    'channel order, the seg file left out',
  );
  const scans = await loadChannels(subject, model.manifest.input, DEFAULT_LIMITS);
  const tensor = prepareVolume(scans, model.manifest.input);
  within(channelSums(tensor), reference.subject.channelSums, 1e-2, 'channel sum');
  within((await runModel(model, [tensor]))[0]!, reference.subject.logits, 1e-4, 'subject logit');

  const stack = await loadChannels({ kind: 'volume', key: STACK, files: [STACK] }, model.manifest.input, DEFAULT_LIMITS);
  assert.equal(stack.length, 4);
  const stacked = prepareVolume(stack, model.manifest.input);
  within(channelSums(stacked), reference.stack4d.channelSums, 1e-2, '4D channel sum');
  within((await runModel(model, [stacked]))[0]!, reference.stack4d.logits, 1e-4, '4D logit');

  // The test sees the order: t1c and t2 swapped move the logits far past the tolerance.
  const [swapped] = await runModel(model, [prepareVolume([scans[0]!, scans[2]!, scans[1]!, scans[3]!], model.manifest.input)]);
  assert.ok(
    reference.subject.logits.some((l, i) => Math.abs(swapped![i]! - l) > 1e-2),
    `swapped: ${swapped!.join(', ')}`,
  );
});

test('each channel is scaled on its own statistics and its own mean/std: channel c of a stack is that sequence prepared alone on the first grid', async () => {
  const [t1, flair] = await Promise.all([loadScan(file('t1')), loadScan(file('flair'))]);
  const two = { ...model.manifest.input, channels: 2, sequences: ['t1', 'flair'], mean: [0.1, 0.4], std: [1, 2] };
  for (const intensity of [{ mode: 'percentile', low: 2, high: 98 }, { mode: 'minmax' }, { mode: 'zscore' }] as const) {
    const stacked = prepareVolume([t1, flair], { ...two, intensity });
    const n = stacked.length / 2;
    const alone = prepareVolume(matchGrid(t1, flair, 'flair'), { ...two, channels: 1, sequences: undefined, intensity, mean: [0.4], std: [2] });
    assert.deepEqual(stacked.subarray(n), alone, intensity.mode);
    assert.deepEqual(stacked.subarray(0, n), prepareVolume(t1, { ...two, channels: 1, sequences: undefined, intensity, mean: [0.1], std: [1] }), intensity.mode);
  }
});

/** A NIfTI-1 fixture's bytes, uncompressed, with `edit` applied to its header. */
function edited(path: string, to: string, edit: (header: DataView) => void): void {
  const bytes = gunzipSync(readFileSync(path));
  edit(new DataView(bytes.buffer, bytes.byteOffset, 348));
  writeFileSync(to, bytes);
}

test('classify: one row per subject and per 4D NIfTI; a missing sequence, a sequence elsewhere in the world, a 4D NIfTI of the wrong length and a DICOM series are error rows naming the input, and the batch goes on', async () => {
  const subjects = join(work, 'subjects');
  cpSync(SUBJECT, join(subjects, 'good'), { recursive: true });
  mkdirSync(join(subjects, 'missing'), { recursive: true });
  for (const s of ['t1', 't1ce', 't2']) cpSync(file(s), join(subjects, 'missing', `m_${s}.nii.gz`));
  mkdirSync(join(subjects, 'apart'), { recursive: true });
  for (const s of ['t1', 't1ce', 'flair']) cpSync(file(s), join(subjects, 'apart', `a_${s}.nii.gz`));
  // The t2 moved 500 mm to the right (qoffset_x and the sform's x offset): it no longer overlaps the t1.
  edited(file('t2'), join(subjects, 'apart', 'a_t2.nii'), (h) => {
    h.setFloat32(268, h.getFloat32(268, true) + 500, true);
    h.setFloat32(292, h.getFloat32(292, true) + 500, true);
  });
  cpSync(STACK, join(work, 'stack4d.nii.gz'));
  // dim[4] = 3: three volumes where the model takes four.
  edited(STACK, join(work, 'three.nii'), (h) => h.setInt16(48, 3, true));
  const series = join(ROOT, 'test', 'fixtures', 'dicom', 'series');
  const files = [...(await listScans(subjects)).files, join(work, 'stack4d.nii.gz'), join(work, 'three.nii'), ...['slice-0.dcm', 'slice-1.dcm', 'slice-2.dcm'].map((f) => join(series, f))];
  const inputs = await classifyInputs(files, DEFAULT_LIMITS, { sequences: model.manifest.input.sequences });
  const rows: ClassifyResult[] = [];
  for await (const row of classifyJob(model, inputs)) rows.push(row);
  const byFile = new Map(rows.map((r) => [r.file, r]));
  assert.deepEqual(
    rows.map((r) => r.file),
    [join(subjects, 'apart'), join(subjects, 'good'), join(subjects, 'missing'), join(work, 'stack4d.nii.gz'), join(work, 'three.nii'), rows[5]!.file],
  );
  const probabilities = (key: string): readonly number[] => {
    const row = byFile.get(key)!;
    assert.ok('probabilities' in row && row.probabilities, `${key}: ${JSON.stringify(row)}`);
    return row.probabilities;
  };
  const softmax = (logits: readonly number[]): number[] => {
    const e = logits.map((l) => Math.exp(l - Math.max(...logits)));
    return e.map((v) => v / e.reduce((a, b) => a + b, 0));
  };
  within(probabilities(join(subjects, 'good')), softmax(reference.subject.logits), 1e-5, 'subject p');
  assert.equal((byFile.get(join(subjects, 'good')) as { files?: string[] }).files?.length, 4);
  within(probabilities(join(work, 'stack4d.nii.gz')), softmax(reference.stack4d.logits), 1e-5, '4D p');
  const error = (key: string): string => String((byFile.get(key) as { error?: string }).error);
  assert.match(error(join(subjects, 'missing')), /subjects\/missing: no flair file: this model takes 4 channels \(t1, t1c, t2, flair\), one NIfTI each, named for its sequence \(found t1, t1c, t2\)/);
  assert.match(error(join(subjects, 'apart')), /a_t2\.nii: the t2 sequence does not overlap the first sequence's volume in world coordinates/);
  assert.match(error(join(work, 'three.nii')), /three\.nii: holds 3 volume\(s\); this model takes 4 channels \(t1, t1c, t2, flair\): give a subject folder with one NIfTI per sequence/);
  assert.equal(rows[5]!.kind, 'series');
  assert.match(String((rows[5] as { error?: string }).error), /a DICOM series is one sequence; this model takes 4 channels/);
  for (const row of rows) assert.doesNotMatch(JSON.stringify(row), /\\n|at .*\.ts:/, 'one line, no stack');
});

test('a folder holding a sequence twice (two subjects laid flat in one folder) is one error naming both files', async () => {
  const flat = join(work, 'flat');
  mkdirSync(flat, { recursive: true });
  for (const subject of ['s1', 's2']) for (const s of ['t1', 't1ce', 't2', 'flair']) cpSync(file(s), join(flat, `${subject}_${s}.nii.gz`));
  const input = await subjectInput(flat);
  await assert.rejects(loadChannels(input, model.manifest.input, DEFAULT_LIMITS), /flat: s1_t1\.nii\.gz and s2_t1\.nii\.gz both name the t1 sequence: keep one per subject folder/);
});

test("explain a subject folder: the map lies on the first sequence's grid and the probabilities are classify's", async () => {
  const job = await explainVolumeJob(model, SUBJECT, { method: 'gradcam' });
  assert.equal(job.scan.path, file('t1'));
  assert.deepEqual(job.geometry.scan, [22, 26, 16]);
  assert.equal(job.tensor.length, 4 * 14 * 16 * 18);
  const [logits] = await runModel(model, [job.tensor]);
  within(logits!, reference.subject.logits, 1e-4, 'explained logit');
  const two = join(work, 'two');
  for (const name of ['a', 'b']) cpSync(SUBJECT, join(two, name), { recursive: true });
  await assert.rejects(explainVolumeJob(model, two, { method: 'gradcam' }), /two: holds 2 subjects \(.*\): explain one; this model takes 4 channels/);
  await assert.rejects(explainVolumeJob(model, file('t1'), { method: 'gradcam' }), /BraTS-demo-001_t1\.nii\.gz: holds 1 volume\(s\); this model takes 4 channels/);
});

test("a sequence opened on its own (the viewer) brings its subject's sequences in the model's order, or its 4D NIfTI's volumes; a file that is none of them is refused by name", async () => {
  const flair = await loadScan(file('flair'), DEFAULT_LIMITS);
  const scans = await channelsAround(flair, model.manifest.input, DEFAULT_LIMITS);
  assert.deepEqual(
    scans.map((s) => basename(s.path)),
    ['t1', 't1ce', 't2', 'flair'].map((sequence) => `BraTS-demo-001_${sequence}.nii.gz`),
  );
  const [output] = await runModel(model, [prepareVolume(scans, model.manifest.input)]);
  assert.ok(
    output!.every((v, i) => Math.abs(v - reference.subject.logits[i]!) < 1e-4),
    `logits ${[...output!]}`,
  );
  const stacked = await channelsAround(await loadScan(STACK, DEFAULT_LIMITS), model.manifest.input, DEFAULT_LIMITS);
  assert.equal(stacked.length, 4);
  const segmentation = await loadScan(join(SUBJECT, 'BraTS-demo-001_seg.nii.gz'), DEFAULT_LIMITS);
  await assert.rejects(channelsAround(segmentation, model.manifest.input, DEFAULT_LIMITS), /BraTS-demo-001_seg\.nii\.gz: is not one of the t1, t1c, t2, flair files of its subject folder/);
});

test('a map carried onto another grid through world coordinates is NaN beyond the map, where a sequence repeats its border', async () => {
  const [t1, flair] = [await loadScan(file('t1'), DEFAULT_LIMITS), await loadScan(file('flair'), DEFAULT_LIMITS)];
  // A small map: the t1's voxels cut to their first half along x, so part of the flair lies beyond it.
  const [nz, ny, nx] = t1.shape;
  const half = Math.floor(nx / 2);
  const map = { ...t1, shape: [nz, ny, half] as [number, number, number], voxels: new Float32Array(nz * ny * half).fill(0.5), rescale: undefined };
  const [border, nan] = [matchGrid(flair, map, 'map').voxels, matchGrid(flair, map, 'map', Number.NaN).voxels];
  const outside = [...nan.keys()].filter((i) => Number.isNaN(nan[i]!));
  assert.ok(outside.length > 0 && outside.length < nan.length, `${outside.length} of ${nan.length} voxels beyond the map`);
  assert.ok(
    outside.every((i) => border[i] === 0.5),
    'with the border repeated, the same voxels hold the edge value',
  );
  assert.ok([...nan.keys()].every((i) => Number.isNaN(nan[i]!) || Math.abs(nan[i]! - 0.5) < 1e-6));
});

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseExplainSessions } from '../../src/core/explain/explainSessions';
import { loadModel } from '../../src/core/model/loadModel';
import { releaseModels } from '../../src/core/model/modelCache';
import { rowsFromCsv } from '../../src/core/report/classifyCsv';
import { loadScan } from '../../src/core/scan/loadScan';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/**
 * The four-sequence classifier and subject of scripts/reference/make_multichannel_reference.py
 * through the CLI and a notebook: a folder of subject folders gives one row per subject,
 * the same in every output, with PyTorch's logits.
 */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'volume3d', 'multichannel');
const MODEL = join(FIXTURE, 'model.json');
const LABELS = ['glioma', 'meningioma', 'notumor'];
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { subject: { logits: number[]; zscoreOnlyLogits: number[] }; stack4d: { logits: number[] } };
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-multi-sequence-'));
const subjects = join(work, 'subjects');
cpSync(join(FIXTURE, 'subject', 'BraTS-demo-001'), join(subjects, 'BraTS-demo-001'), { recursive: true });
mkdirSync(join(subjects, 'BraTS-demo-002'));
for (const s of ['t1', 't1ce', 't2']) cpSync(join(subjects, 'BraTS-demo-001', `BraTS-demo-001_${s}.nii.gz`), join(subjects, 'BraTS-demo-002', `BraTS-demo-002_${s}.nii.gz`));
cpSync(join(FIXTURE, 'stack4d.nii.gz'), join(work, 'stack4d.nii.gz'));
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseExplainSessions();
  await releaseModels();
});

interface Row {
  kind: string;
  file: string;
  files?: string[];
  probabilities?: number[];
  error?: string;
}

/** Logits are known up to a constant from probabilities: log(p_i / p_0) = l_i − l_0. */
function assertLogits(probabilities: readonly number[], logits: readonly number[], what: string): void {
  probabilities.forEach((p, i) => {
    const [got, want] = [Math.log(p / probabilities[0]!), logits[i]! - logits[0]!];
    assert.ok(Math.abs(got - want) <= 1e-4, `${what} logit ${i} − logit 0: ${got} vs PyTorch ${want}`);
  });
}

test('classify a folder of subject folders and a 4D NIfTI: one row per subject, PyTorch logits within 1e-4, the same rows in text, JSON, JSON Lines, CSV and a notebook cell; a missing sequence is its own row', async () => {
  // One onnxruntime thread, as the notebook session below: sums then run in one order and every surface gives the same bits.
  const args = ['classify', '--model', MODEL, '--threads', '1', 'subjects', 'stack4d.nii.gz'];
  const json = runCli([...args, '--json'], work);
  assert.equal(json.status, 2, json.stderr);
  const rows = (JSON.parse(json.stdout) as { results: Row[] }).results;
  assert.deepEqual(
    rows.map((r) => [r.kind, r.file, r.files?.length]),
    [
      ['volume', join('subjects', 'BraTS-demo-001'), 4],
      ['volume', join('subjects', 'BraTS-demo-002'), 3],
      ['volume', 'stack4d.nii.gz', undefined],
    ],
  );
  const [subject, missing, stack] = rows as [Row, Row, Row];
  assertLogits(subject.probabilities!, reference.subject.logits, 'subject');
  assertLogits(stack.probabilities!, reference.stack4d.logits, '4D NIfTI');
  assert.match(missing.error!, /^subjects\/BraTS-demo-002: no flair file: this model takes 4 channels \(t1, t1c, t2, flair\)/);

  const text = runCli(args, work);
  const lines = text.stdout.trim().split('\n');
  assert.equal(lines.length, 3, text.stdout);
  const top = (r: Row): number => r.probabilities!.indexOf(Math.max(...r.probabilities!));
  assert.match(lines[0]!, new RegExp(`^subjects/BraTS-demo-001  ${LABELS[top(subject)]} ${Math.max(...subject.probabilities!).toFixed(3)}`));
  assert.match(lines[1]!, /^subjects\/BraTS-demo-002 .*no flair file/);
  assert.match(text.stderr, /subjects\/BraTS-demo-002: no flair file/);

  runCli([...args, '--jsonl', join(work, 'out.jsonl'), '--csv', join(work, 'out.csv'), '--report', join(work, 'report.html')], work);
  // The report pictures the subject by its first sequence and the 4D NIfTI by its first volume.
  assert.equal(readFileSync(join(work, 'report.html'), 'utf8').match(/data:image\/jpeg/g)?.length, 2);
  const jsonl = readFileSync(join(work, 'out.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  assert.deepEqual(
    jsonl.map((r) => [r.file, r.probabilities ?? r.error]),
    rows.map((r) => [r.file, r.probabilities ?? r.error]),
  );
  const csv = rowsFromCsv(readFileSync(join(work, 'out.csv'), 'utf8'), LABELS);
  assert.deepEqual(
    csv.map((r) => [r.file, 'probabilities' in r ? r.probabilities : 'error' in r ? r.error : undefined]),
    rows.map((r) => [r.file, r.probabilities ?? r.error]),
  );

  const refused = runCli([...args, '--volume', '2'], work);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /--volume picks one volume of a 4D NIfTI; this model takes 4 channels/);

  const session = new NotebookSession({ baseDir: work, defaultModelPath: MODEL, threads: 1 });
  cpSync(FIXTURE, join(work, 'model4'), { recursive: true });
  const described = await executeCell(session, 'model model4/model.json');
  assert.match(String((described.outputs[0] as DisplayOutput).data['text/markdown']), /14×16×18×4 \(NCDHW volume: t1, t1c, t2, flair\)/);
  const run = await executeCell(session, 'classify subjects stack4d.nii.gz');
  const result = NotebookResultSchema.parse((run.outputs[0] as DisplayOutput).data[SCANLENS_RESULT_MIME]);
  assert.ok(result.kind === 'classify');
  assert.deepEqual(
    result.rows.map((r) => [r.file, 'probabilities' in r ? r.probabilities : 'error' in r ? r.error : undefined]),
    rows.map((r) => [r.file, r.probabilities ?? r.error]),
  );
});

test("explain a subject folder with --out map.nii.gz: the probabilities classify gives, and a map on the t1's voxels with the t1's affine", async () => {
  const out = join(work, 'map.nii.gz');
  const folder = join('subjects', 'BraTS-demo-001');
  const result = runCli(['explain', folder, '--model', MODEL, '--method', 'gradcam', '--out', out, '--json'], work);
  assert.equal(result.status, 0, result.stderr);
  const explained = JSON.parse(result.stdout) as { probabilities: number[]; peak: { voxel: number[] | null } };
  assertLogits(explained.probabilities, reference.subject.logits, 'explained');
  const [map, t1] = await Promise.all([loadScan(out), loadScan(join(work, folder, 'BraTS-demo-001_t1.nii.gz'))]);
  assert.deepEqual(map.shape, t1.shape);
  map.affine!.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - t1.affine![r]![c]!) <= 1e-5, `affine ${r},${c}: ${v} vs ${t1.affine![r]![c]}`)));
  assert.ok(explained.peak.voxel, 'the peak lies in the t1');

  // A notebook cell explains the same subject folder with the CLI's lines and montage.
  const session = new NotebookSession({ baseDir: work, defaultModelPath: MODEL, threads: 1 });
  const run = await executeCell(session, `explain ${folder} method=gradcam`);
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const cli = runCli(['explain', folder, '--model', MODEL, '--method', 'gradcam', '--threads', '1', '--out', join(work, 'cli.png')], work);
  assert.equal((run.outputs[0] as DisplayOutput).data['text/plain'], cli.stdout.trim().replace(`  → ${join(work, 'cli.png')}`, ''));
  assert.deepEqual(Buffer.from(String((run.outputs[0] as DisplayOutput).data['image/png']), 'base64'), readFileSync(join(work, 'cli.png')));
});

test("a MONAI bundle whose input's channel_def names four sequences runs with no manifest: the sequences matched by file name, PyTorch's logits within 1e-4", async () => {
  const root = join(work, 'bundle');
  mkdirSync(join(root, 'models'), { recursive: true });
  mkdirSync(join(root, 'configs'), { recursive: true });
  cpSync(join(FIXTURE, 'model.onnx'), join(root, 'models', 'model.onnx'));
  const metadata = {
    network_data_format: {
      inputs: { image: { type: 'image', num_channels: 4, spatial_shape: [14, 16, 18], channel_def: { '0': 'T1', '1': 'T1c', '2': 'T2', '3': 'FLAIR' } } },
      outputs: { pred: { type: 'probabilities', num_channels: 3, channel_def: { '0': 'glioma', '1': 'meningioma', '2': 'notumor' } } },
    },
  };
  const transforms = [
    { _target_: 'LoadImaged', keys: ['t1', 't1c', 't2', 'flair'] },
    { _target_: 'Orientationd', keys: 'image', axcodes: 'RAS' },
    { _target_: 'Spacingd', keys: 'image', pixdim: [2, 2, 2], mode: 'bilinear' },
    { _target_: 'NormalizeIntensityd', keys: 'image', channel_wise: true },
    { _target_: 'ResizeWithPadOrCropd', keys: 'image', spatial_size: [14, 16, 18] },
  ];
  writeFileSync(join(root, 'configs', 'metadata.json'), JSON.stringify(metadata));
  writeFileSync(join(root, 'configs', 'inference.json'), JSON.stringify({ preprocessing: { transforms } }));
  const model = await loadModel(root, { threads: 1 });
  try {
    assert.deepEqual(model.manifest.input.sequences, ['t1', 't1c', 't2', 'flair']);
    assert.ok(model.assumptions.some((a) => /channels are the sequences t1, t1c, t2, flair \(the MONAI bundle's channel_def\)/.test(a)));
  } finally {
    await model.session.release();
  }
  // The bundle z-scores each channel and has no mean/std after: PyTorch's logits for that are the reference's zscoreOnlyLogits.
  const result = runCli(['classify', '--model', root, '--json', join('subjects', 'BraTS-demo-001')], work);
  assert.equal(result.status, 0, result.stderr);
  const [row] = (JSON.parse(result.stdout) as { results: Row[] }).results;
  assert.equal(row!.files?.length, 4);
  assertLogits(row!.probabilities!, reference.subject.zscoreOnlyLogits, 'bundle');

  // A bare 5-D ONNX with four channels and no manifest: the channels are a 4D NIfTI's volumes, and it says so.
  const bare = await loadModel(join(FIXTURE, 'model.onnx'), { threads: 1 });
  try {
    assert.equal(bare.manifest.input.channels, 4);
    assert.equal(bare.manifest.input.sequences, undefined);
    assert.ok(bare.assumptions.some((a) => /the 4 channels are a 4D NIfTI's volumes, in file order/.test(a)));
  } finally {
    await bare.session.release();
  }
});

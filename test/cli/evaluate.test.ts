import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const PYTHON = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'scanlens-evaluate-'));
const labelled = join(work, 'labelled');

interface Evaluation {
  labels: string[];
  rows: ({ file: string; label: string; prediction: string; probabilities: number[] } | { file: string; label: string; error: string })[];
  failed: number;
  accuracy: number;
  perClass: { label: string; precision: number | null; recall: number | null; auc: number | null; averagePrecision: number | null; support: number }[];
  precisionRecall: { label: string; precision: number[]; recall: number[]; averagePrecision: number | null }[];
  confusion: number[][];
  calibration: { ece: number; mce: number; brier: number; nll: number };
}

async function cliEvaluation(): Promise<{ status: number | null; evaluation: Evaluation; stderr: string }> {
  if (!existsSync(join(labelled, 'glioma', 'broken.png'))) {
    // Label noise, so the numbers are not all 1, and a scan that cannot be read.
    await writeLabelledVariants(labelled, 6, 11, 4);
    writeFileSync(join(labelled, 'glioma', 'broken.png'), 'not a png');
  }
  const cli = runCli(['evaluate', labelled, '--json']);
  return { status: cli.status, evaluation: JSON.parse(cli.stdout) as Evaluation, stderr: cli.stderr };
}

test('evaluate: every labelled scan is a row in folder order, the unreadable one an error row naming it (exit 2); the confusion matrix counts the rest', async () => {
  const { status, evaluation, stderr } = await cliEvaluation();
  assert.equal(status, 2);
  assert.equal(evaluation.rows.length, 6 * 4 + 1);
  assert.equal(evaluation.failed, 1);
  const broken = evaluation.rows.find((r) => r.file.endsWith('broken.png'));
  assert.ok(broken && 'error' in broken && broken.label === 'glioma');
  assert.match(stderr, /broken\.png/);
  const classified = evaluation.rows.filter((r) => 'prediction' in r) as Extract<Evaluation['rows'][number], { prediction: string }>[];
  const right = classified.filter((r) => r.prediction === r.label).length;
  assert.equal(evaluation.accuracy, right / classified.length);
  assert.ok(evaluation.accuracy < 1, 'the label noise should cost some accuracy');
  for (const [t, label] of evaluation.labels.entries())
    for (const [p, predicted] of evaluation.labels.entries()) assert.equal(evaluation.confusion[t]![p], classified.filter((r) => r.label === label && r.prediction === predicted).length);
});

test('evaluate: the calibration numbers equal a numpy computation (ECE/MCE over 15 bins, Brier, NLL) on the same rows', async (t) => {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import numpy']).status !== 0) return t.skip(`${PYTHON} with numpy is not installed`);
  const { evaluation } = await cliEvaluation();
  const classified = evaluation.rows.filter((r) => 'prediction' in r) as Extract<Evaluation['rows'][number], { prediction: string }>[];
  const script = `
import json, sys
import numpy as np
rows = json.load(sys.stdin)
p = np.array([r['probabilities'] for r in rows['rows']]); y = np.array(rows['truth'])
conf = p.max(1); right = p.argmax(1) == y
bins = np.minimum((conf * 15).astype(int), 14)
gaps = [(np.sum(bins == b), abs(right[bins == b].mean() - conf[bins == b].mean())) for b in range(15) if np.any(bins == b)]
print(json.dumps({'ece': sum(n * g for n, g in gaps) / len(y), 'mce': max(g for _, g in gaps),
  'brier': float(np.mean(np.sum((p - np.eye(p.shape[1])[y]) ** 2, 1))), 'nll': float(-np.mean(np.log(p[np.arange(len(y)), y])))}))
`;
  const input = JSON.stringify({ rows: classified, truth: classified.map((r) => evaluation.labels.indexOf(r.label)) });
  const numpy = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
  assert.equal(numpy.status, 0, numpy.stderr);
  const reference = JSON.parse(numpy.stdout) as Evaluation['calibration'];
  for (const key of ['ece', 'mce', 'brier', 'nll'] as const)
    assert.ok(Math.abs(evaluation.calibration[key] - reference[key]) < 1e-9, `${key}: ${evaluation.calibration[key]} vs numpy ${reference[key]}`);
});

test("evaluate's per-class precision–recall curves and average precision equal scikit-learn's precision_recall_curve and average_precision_score", async (t) => {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import sklearn']).status !== 0) return t.skip(`${PYTHON} with scikit-learn is not installed`);
  const { evaluation } = await cliEvaluation();
  const classified = evaluation.rows.filter((r) => 'prediction' in r) as Extract<Evaluation['rows'][number], { prediction: string }>[];
  const script = `
import json, sys
from sklearn.metrics import average_precision_score, precision_recall_curve
data = json.load(sys.stdin)
out = []
for c in range(len(data['labels'])):
    y = [int(t == c) for t in data['truth']]
    s = [p[c] for p in data['probabilities']]
    precision, recall, _ = precision_recall_curve(y, s)
    out.append({'precision': precision.tolist(), 'recall': recall.tolist(), 'ap': float(average_precision_score(y, s))})
print(json.dumps(out))
`;
  const input = JSON.stringify({ labels: evaluation.labels, truth: classified.map((r) => evaluation.labels.indexOf(r.label)), probabilities: classified.map((r) => r.probabilities) });
  const sklearn = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
  assert.equal(sklearn.status, 0, sklearn.stderr);
  const reference = JSON.parse(sklearn.stdout) as { precision: number[]; recall: number[]; ap: number }[];
  reference.forEach((expected, c) => {
    const ours = evaluation.precisionRecall[c]!;
    assert.ok(Math.abs(ours.averagePrecision! - expected.ap) < 1e-12, `${ours.label}: AP ${ours.averagePrecision} vs scikit-learn ${expected.ap}`);
    assert.equal(evaluation.perClass[c]!.averagePrecision, ours.averagePrecision);
    assert.deepEqual(ours.recall.length, expected.recall.length, `${ours.label}: curve points`);
    ours.precision.forEach((p, i) => assert.ok(Math.abs(p - expected.precision[i]!) < 1e-12 && Math.abs(ours.recall[i]! - expected.recall[i]!) < 1e-12, `${ours.label}: point ${i}`));
  });
});

test('evaluate agrees across surfaces: the notebook cell gives the CLI JSON its rows, accuracy, per-class figures, confusion and calibration', async () => {
  const { evaluation } = await cliEvaluation();
  const session = new NotebookSession({ baseDir: work, defaultModelPath: DEMO, threads: 1 });
  const run = await executeCell(session, 'evaluate labelled');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const output = run.outputs[0] as { data: Record<string, unknown> };
  const shown = output.data[SCANLENS_RESULT_MIME] as Evaluation & { files: number };
  assert.equal(shown.files, evaluation.rows.length);
  assert.equal(shown.failed, evaluation.failed);
  assert.equal(shown.accuracy, evaluation.accuracy);
  assert.deepEqual(shown.confusion, evaluation.confusion);
  assert.deepEqual(
    shown.perClass.map((c) => [c.label, c.precision, c.recall, c.auc, c.support]),
    evaluation.perClass.map((c) => [c.label, c.precision, c.recall, c.auc, c.support]),
  );
  for (const key of ['ece', 'mce', 'brier', 'nll'] as const) assert.equal(shown.calibration[key], evaluation.calibration[key]);
  const table = session.lastTable!.table;
  assert.deepEqual(
    table.rows.map((r) => [r[1], r[2]]),
    evaluation.rows.map((r) => [r.label, 'prediction' in r ? r.prediction : null]),
  );
  assert.equal(run.outputs.length, 5, 'summary, confusion, ROC, precision–recall and reliability outputs');
});

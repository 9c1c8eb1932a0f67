import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { minimize } from '../../../src/core/train/lbfgs';
import { fitSoftmax, logProbabilities, type LabelledFeatures } from '../../../src/core/train/softmaxRegression';
import { fixture } from '../../helpers/paths';

interface Reference {
  readonly dimensions: number;
  readonly classes: number;
  readonly train: { features: string; labels: number[] };
  readonly val: { features: string; labels: number[] };
  readonly fits: { C: number; weights: number[]; bias: number[]; valAccuracy: number; valNll: number }[];
}

const reference = JSON.parse(readFileSync(fixture('train', 'linear-probe-reference.json'), 'utf8')) as Reference;

function split(part: Reference['train']): LabelledFeatures {
  const bytes = Buffer.from(part.features, 'base64');
  return {
    features: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    dimensions: reference.dimensions,
    labels: Int32Array.from(part.labels),
    classes: reference.classes,
  };
}

function evaluate(logP: Float64Array, labels: Int32Array, classes: number): { accuracy: number; nll: number } {
  let correct = 0;
  let nll = 0;
  labels.forEach((label, i) => {
    const row = logP.subarray(i * classes, (i + 1) * classes);
    if (row.indexOf(Math.max(...row)) === label) correct++;
    nll -= row[label]!;
  });
  return { accuracy: correct / labels.length, nll: nll / labels.length };
}

test('L-BFGS finds the minimum of the Rosenbrock function', async () => {
  const result = await minimize(
    (x, g) => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    },
    Float64Array.of(-1.2, 1),
    { gradientTolerance: 1e-9 },
  );
  assert.ok(result.converged);
  assert.ok(Math.abs(result.x[0]! - 1) < 1e-5 && Math.abs(result.x[1]! - 1) < 1e-5, `ended at ${[...result.x]}`);
});

test('the linear probe equals scikit-learn’s balanced LogisticRegression on the same features: accuracy within 1 point, NLL within 1 %, the same head', async () => {
  const train = split(reference.train);
  const val = split(reference.val);
  for (const fit of reference.fits) {
    const { head, converged } = await fitSoftmax(train, fit.C);
    assert.ok(converged, `C=${fit.C} did not converge`);
    const { accuracy, nll } = evaluate(logProbabilities(head, val.features), val.labels, val.classes);
    assert.ok(Math.abs(accuracy - fit.valAccuracy) <= 0.01, `C=${fit.C}: accuracy ${accuracy} vs scikit-learn ${fit.valAccuracy}`);
    assert.ok(Math.abs(nll - fit.valNll) <= 0.01 * fit.valNll, `C=${fit.C}: NLL ${nll} vs scikit-learn ${fit.valNll}`);
    const scale = Math.max(...fit.weights.map(Math.abs));
    head.weights.forEach((w, i) => assert.ok(Math.abs(w - fit.weights[i]!) <= 1e-3 * scale, `C=${fit.C}: weight ${i} ${w} vs ${fit.weights[i]}`));
  }
});

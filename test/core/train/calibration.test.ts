import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { calibration } from '../../../src/core/metrics/calibration';
import { softmax } from '../../../src/core/model/softmax';
import { fitTemperature } from '../../../src/core/train/temperature';
import { fixture } from '../../helpers/paths';

interface Metrics {
  readonly ece: number;
  readonly mce: number;
  readonly brier: number;
  readonly nll: number;
}

const reference = JSON.parse(readFileSync(fixture('train', 'calibration-reference.json'), 'utf8')) as {
  logits: number[];
  truth: number[];
  classes: number;
  temperature: number;
  before: Metrics;
  after: Metrics;
};

function rows(temperature: number): number[][] {
  const { logits, classes } = reference;
  return reference.truth.map((_, i) => softmax(logits.slice(i * classes, (i + 1) * classes).map((z) => z / temperature)));
}

function assertMetrics(actual: Metrics, expected: Metrics, when: string): void {
  for (const key of ['ece', 'mce', 'brier', 'nll'] as const) assert.ok(Math.abs(actual[key] - expected[key]) < 1e-9, `${when} ${key}: ${actual[key]} vs numpy ${expected[key]}`);
}

test('temperature scaling finds scipy’s temperature; ECE, MCE, Brier and NLL before and after equal the numpy reference', () => {
  const temperature = fitTemperature(Float64Array.from(reference.logits), Int32Array.from(reference.truth), reference.classes);
  assert.ok(Math.abs(temperature - reference.temperature) < 1e-6 * reference.temperature, `T ${temperature} vs scipy ${reference.temperature}`);
  assertMetrics(calibration(rows(1), reference.truth), reference.before, 'before');
  assertMetrics(calibration(rows(reference.temperature), reference.truth), reference.after, 'after');
  const { bins } = calibration(rows(temperature), reference.truth);
  assert.equal(
    bins.reduce((n, b) => n + b.count, 0),
    reference.truth.length,
  );
});

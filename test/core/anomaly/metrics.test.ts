import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { aupr, auroc, bestF1, f1At, histogram } from '../../../src/core/anomaly/metrics';
import { fixture } from '../../helpers/paths';

interface MetricsCase {
  scores: number[];
  anomalous: boolean[];
  auroc: number;
  aupr: number;
  f1AtZero: number;
  bestF1: number;
  bestThreshold: number;
  histogram: { edges: number[]; normal: number[]; anomalous: number[] };
}

const reference = JSON.parse(readFileSync(fixture('anomaly', 'reference.json'), 'utf8')) as { metrics: MetricsCase[] };

test('hand-computed: perfect, reversed and tied rankings', () => {
  assert.equal(auroc({ scores: [1, 2, 3, 4], anomalous: [false, false, true, true] }), 1);
  assert.equal(auroc({ scores: [4, 3, 2, 1], anomalous: [false, false, true, true] }), 0);
  // One tie between a normal and an anomalous score counts one half: (3 + 0.5) / 4.
  assert.equal(auroc({ scores: [1, 2, 2, 3], anomalous: [false, false, true, true] }), 0.875);
  // Ranked anomalous, normal, anomalous: AP = 1/2·1 + 1/2·2/3.
  assert.ok(Math.abs(aupr({ scores: [3, 2, 1], anomalous: [true, false, true] }) - (0.5 + 1 / 3)) < 1e-12);
  const at = f1At({ scores: [3, 2, 1], anomalous: [true, false, true] }, 2);
  assert.deepEqual([at.precision, at.recall, at.f1], [0.5, 0.5, 0.5]);
});

test('AUROC, AUPR, F1 and histograms match the numpy references', () => {
  for (const c of reference.metrics) {
    const set = { scores: c.scores, anomalous: c.anomalous };
    assert.ok(Math.abs(auroc(set) - c.auroc) < 1e-12, `auroc ${auroc(set)} vs ${c.auroc}`);
    assert.ok(Math.abs(aupr(set) - c.aupr) < 1e-12, `aupr ${aupr(set)} vs ${c.aupr}`);
    assert.ok(Math.abs(f1At(set, 0).f1 - c.f1AtZero) < 1e-12);
    const best = bestF1(set);
    assert.ok(Math.abs(best.f1 - c.bestF1) < 1e-12);
    assert.equal(best.threshold, c.bestThreshold);
    const h = histogram(set, 10);
    assert.deepEqual(h.normal, c.histogram.normal);
    assert.deepEqual(h.anomalous, c.histogram.anomalous);
    h.edges.forEach((e, i) => assert.ok(Math.abs(e - c.histogram.edges[i]!) < 1e-9));
  }
});

test('metrics refuse sets they cannot measure', () => {
  assert.throws(() => auroc({ scores: [1, 2], anomalous: [false, false] }), /both normal and anomalous/);
  assert.throws(() => auroc({ scores: [1, Number.NaN], anomalous: [false, true] }), /finite/);
});

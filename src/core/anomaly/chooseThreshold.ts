import { ScanLensError } from '../errors';
import { bestF1 } from './metrics';

/** How a detector's threshold was chosen after fitting. */
export type ThresholdRule = { readonly rule: 'fpr'; readonly fpr: number } | { readonly rule: 'f1' };

export interface ChosenThreshold {
  readonly value: number;
  /** Normals flagged at that threshold (score ≥ value), as a fraction. */
  readonly falsePositiveRate: number;
  /** With anomalous scans: the fraction of them flagged, and F1. */
  readonly recall?: number;
  readonly f1?: number;
}

/** The smallest double above x: a threshold just over a score leaves that score unflagged (verdicts flag score ≥ threshold). */
function justAbove(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x >= 0 ? (x === 0 ? 1n : bits + 1n) : bits - 1n);
  return view.getFloat64(0);
}

/**
 * A threshold from scored held-out scans. `fpr`: the lowest threshold that
 * flags at most that fraction of the normals (just above the normal score
 * ranked ⌊fpr·n⌋+1 from the top). `f1`: the anomalous-scan score with the best
 * F1 (needs anomalous scans), as `anomaly eval` reports it.
 */
export function chooseThreshold(normal: readonly number[], anomalous: readonly number[], rule: ThresholdRule): ChosenThreshold {
  if (normal.length === 0) throw new ScanLensError('no normal scan could be scored: a threshold needs held-out normal scans');
  let value: number;
  if (rule.rule === 'fpr') {
    const sorted = [...normal].sort((a, b) => b - a);
    const allowed = Math.floor(rule.fpr * normal.length + 1e-9);
    value = allowed >= sorted.length ? sorted.at(-1)! : justAbove(sorted[allowed]!);
  } else {
    if (anomalous.length === 0) throw new ScanLensError('--f1 needs anomalous scans (--anomalous DIR) to weigh misses against false alarms');
    value = bestF1({ scores: [...normal, ...anomalous], anomalous: [...normal.map(() => false), ...anomalous.map(() => true)] }).threshold;
  }
  const flagged = (scores: readonly number[]): number => scores.filter((s) => s >= value).length;
  const falsePositiveRate = flagged(normal) / normal.length;
  if (anomalous.length === 0) return { value, falsePositiveRate };
  const tp = flagged(anomalous);
  const fp = flagged(normal);
  return { value, falsePositiveRate, recall: tp / anomalous.length, f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + (anomalous.length - tp)) };
}

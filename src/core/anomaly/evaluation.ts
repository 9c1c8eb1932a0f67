import { aupr, auroc, bestF1, f1At, histogram, type Confusion, type Histogram, type Labelled } from './metrics';

export interface Evaluation {
  readonly normal: number;
  readonly anomalous: number;
  readonly auroc: number;
  readonly aupr: number;
  readonly atThreshold: Confusion;
  readonly bestF1: Confusion;
  readonly histogram: Histogram;
}

/** Every metric `anomaly eval` reports, for a labelled set and the detector's threshold. */
export function evaluate(set: Labelled, threshold: number, bins = 10): Evaluation {
  const anomalous = set.anomalous.filter(Boolean).length;
  return {
    normal: set.anomalous.length - anomalous,
    anomalous,
    auroc: auroc(set),
    aupr: aupr(set),
    atThreshold: f1At(set, threshold),
    bestF1: bestF1(set),
    histogram: histogram(set, bins),
  };
}

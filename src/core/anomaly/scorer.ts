import { ScanLensError } from '../errors';
import type { Image2D } from '../image';
import type { ModelView } from '../preprocess/mapToSlice';
import type { Scan } from '../scan/scan';

export interface AnomalyResult {
  readonly score: number;
  readonly label: 'normal' | 'anomalous';
  readonly threshold: number;
  /** The anomaly map at the model input's size; anomalyHeat brings it onto the slice. */
  readonly map: Image2D;
}

/** Anything that scores scans: a fitted detector or an anomaly model. */
export interface AnomalyScorer {
  readonly kind: string;
  readonly threshold: number;
  /** The input its maps cover: size and how it frames a slice (mapToSlice brings a map onto the slice). */
  readonly input: ModelView;
  /** How JSON outputs describe the scorer. */
  summary(): Record<string, unknown>;
  score(file: string, threshold?: number): Promise<AnomalyResult>;
  /** One slice of a scan already decoded (the viewer's slice on screen, any axis of a volume). */
  scoreSlice(scan: Scan, index: number, threshold?: number): Promise<AnomalyResult>;
}

export interface ScorerOptions {
  readonly threads?: number;
  /** onnxruntime execution provider of the scorer's models ('cpu' by default). */
  readonly provider?: string;
  /** A backbone to use instead of the one the detector names (its sha256 must match). */
  readonly backbone?: string;
  readonly cacheDir?: string;
}

/**
 * The scorer, refusing any result whose score or map holds NaN or ±Infinity:
 * a NaN score is under every threshold, so it would read "normal" and pass
 * the out-of-distribution guard. The error names the file (and slice).
 */
export function finiteScorer(scorer: AnomalyScorer): AnomalyScorer {
  const checked = (result: AnomalyResult, file: string, where: string): AnomalyResult => {
    const bad = Number.isFinite(result.score) ? result.map.data.findIndex((v) => !Number.isFinite(v)) : -1;
    if (!Number.isFinite(result.score) || bad >= 0) {
      const what = bad >= 0 ? `its anomaly map holds ${result.map.data[bad]}` : `its anomaly score is ${result.score}`;
      throw new ScanLensError(`${where}${what}, not a finite number: no verdict to report (${scorer.kind} scorer)`, file);
    }
    return result;
  };
  return {
    kind: scorer.kind,
    threshold: scorer.threshold,
    input: scorer.input,
    summary: () => scorer.summary(),
    score: async (file, threshold) => checked(await scorer.score(file, threshold), file, ''),
    scoreSlice: async (scan, index, threshold) => checked(await scorer.scoreSlice(scan, index, threshold), scan.path, `slice index ${index}: `),
  };
}

/** The scorer with another threshold where a call names none (a threshold chosen again but not stored: `scanlens run --check`). */
export function withThreshold(scorer: AnomalyScorer, threshold: number): AnomalyScorer {
  return {
    kind: scorer.kind,
    threshold,
    input: scorer.input,
    summary: () => scorer.summary(),
    score: (file, given) => scorer.score(file, given ?? threshold),
    scoreSlice: (scan, index, given) => scorer.scoreSlice(scan, index, given ?? threshold),
  };
}

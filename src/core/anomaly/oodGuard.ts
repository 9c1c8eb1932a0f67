import { dirname, resolve } from 'node:path';
import type { LoadedModel } from '../model/loadModel';
import type { AnomalyScorer, ScorerOptions } from './scorer';
import { openScorer } from './openScorer';

/** The flag a classification row carries when its scan is unlike what the classifier was trained on. */
export const OUT_OF_DISTRIBUTION = 'input unlike the training data';

export interface GuardResult {
  readonly anomalyScore: number;
  readonly threshold: number;
  /** Present when the score is at or over the threshold. */
  readonly flag?: typeof OUT_OF_DISTRIBUTION;
}

export interface OodGuard {
  readonly scorer: AnomalyScorer;
  check(file: string): Promise<GuardResult>;
}

/**
 * The guard a classifier's manifest names (anomaly.detector, relative to the
 * manifest), or undefined when it names none: a classification is only as
 * good as the resemblance of its input to the training data.
 */
export async function guardFor(model: LoadedModel, options: ScorerOptions = {}): Promise<OodGuard | undefined> {
  const named = model.manifest.anomaly?.detector;
  if (!named || !model.manifestPath) return undefined;
  const scorer = await openScorer(resolve(dirname(model.manifestPath), named), options);
  return {
    scorer,
    async check(file) {
      const { score, threshold } = await scorer.score(file);
      return { anomalyScore: score, threshold, ...(score >= threshold ? { flag: OUT_OF_DISTRIBUTION } : {}) };
    },
  };
}

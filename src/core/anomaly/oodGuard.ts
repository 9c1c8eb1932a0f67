import { dirname } from 'node:path';
import { pathInFolder } from '../io/containment';
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

/** The guard's verdict on a score: flagged at or over the threshold. */
export function verdict(score: number, threshold: number): GuardResult {
  return { anomalyScore: score, threshold, ...(score >= threshold ? { flag: OUT_OF_DISTRIBUTION } : {}) };
}

/** Whether the model's rows carry the guard's fields: outputs decide their columns by this, before any row exists. */
export function hasGuard(model: LoadedModel): boolean {
  return Boolean(model.manifest.anomaly?.detector && model.manifestPath);
}

/**
 * The guard a classifier's manifest names (anomaly.detector, relative to the
 * manifest), or undefined when it names none: a classification is only as
 * good as the resemblance of its input to the training data.
 */
export async function guardFor(model: LoadedModel, options: ScorerOptions = {}): Promise<OodGuard | undefined> {
  const named = model.manifest.anomaly?.detector;
  if (!named || !model.manifestPath) return undefined;
  // The detector runs the way its classifier does unless told otherwise.
  const runtime = { threads: options.threads ?? model.threads, provider: options.provider ?? model.provider };
  const detector = await pathInFolder(dirname(model.manifestPath), named, 'anomaly.detector', model.manifestPath);
  const scorer = await openScorer(detector, { ...options, ...runtime });
  return {
    scorer,
    async check(file) {
      const { score, threshold } = await scorer.score(file);
      return verdict(score, threshold);
    },
  };
}

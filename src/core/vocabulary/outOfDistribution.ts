/**
 * The words every view uses for the out-of-distribution guard's verdict
 * (notification, Details, notebook renderer and plain copies, scan viewer,
 * CLI text), kept in one place so a person reads the same warning wherever a
 * result appears.
 */

export const OUT_OF_DISTRIBUTION_TITLE = 'Out of distribution';

const two = (value: number): string => value.toFixed(2);

/** "anomaly score 20.41 ≥ threshold 13.14", or "<" for a scan within the training distribution. */
export function anomalyScoreText(score: number, threshold: number): string {
  return `anomaly score ${two(score)} ${score >= threshold ? '≥' : '<'} threshold ${two(threshold)}`;
}

/** The warning for a flagged result: what was measured, and what it means for the probabilities. */
export function outOfDistributionWarning(score: number, threshold: number): string {
  return `${OUT_OF_DISTRIBUTION_TITLE} (${anomalyScoreText(score, threshold)}): this scan is unlike the data the model was trained on, so its probabilities should not be trusted.`;
}

/** What a scan that passed shows instead of the warning: the score, so a reader sees how close it came. */
export function checkPassedText(score: number, threshold: number): string {
  return `Out-of-distribution check passed (${anomalyScoreText(score, threshold)})`;
}

/** The guard's fields as every result carries them (classify rows, notebook rows, the viewer's probabilities). */
export interface GuardFields {
  readonly anomalyScore?: number;
  readonly anomalyThreshold?: number;
  readonly flag?: string;
}

/** The warning for a flagged result; undefined when the guard did not flag it (or there is no guard). */
export function warningFor(result: GuardFields): string | undefined {
  const { anomalyScore, anomalyThreshold, flag } = result;
  return flag !== undefined && anomalyScore !== undefined && anomalyThreshold !== undefined ? outOfDistributionWarning(anomalyScore, anomalyThreshold) : undefined;
}

/** A table's check cell: the score against the threshold, "⚠ " first when flagged; empty without a score (no guard, or it failed on this one). */
export function checkCellText(result: GuardFields): string {
  const { anomalyScore, anomalyThreshold } = result;
  if (anomalyScore === undefined || anomalyThreshold === undefined) return '';
  return `${warningFor(result) ? '⚠ ' : ''}${anomalyScoreText(anomalyScore, anomalyThreshold)}`;
}

/** Score and threshold travel together, and a flag only with both: schemas refuse anything else rather than show half a verdict. */
export function guardFieldsComplete(result: GuardFields): boolean {
  const scored = result.anomalyScore !== undefined;
  return scored === (result.anomalyThreshold !== undefined) && (result.flag === undefined || scored);
}

/**
 * The verdict ending a one-line result (terminal, plain text): the warning's
 * title and numbers with a short consequence when flagged, since many such
 * rows share a screen; the passed text otherwise; undefined without a score
 * (no guard, or the guard failed on this scan).
 */
export function verdictLine(result: GuardFields): string | undefined {
  const { anomalyScore, anomalyThreshold } = result;
  if (anomalyScore === undefined || anomalyThreshold === undefined) return undefined;
  return warningFor(result)
    ? `⚠ ${OUT_OF_DISTRIBUTION_TITLE} (${anomalyScoreText(anomalyScore, anomalyThreshold)}): probabilities should not be trusted`
    : checkPassedText(anomalyScore, anomalyThreshold);
}

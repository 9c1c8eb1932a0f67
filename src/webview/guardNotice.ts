import { checkPassedText, warningFor } from '../core/vocabulary/outOfDistribution';
import type { ClassifyResult } from '../protocol/viewerMessages';

/**
 * The guard's verdict above the probability bars: the warning when the slice
 * is out of distribution, the score in muted text when it passed, nothing
 * for a model without a guard (or while there is no result).
 */
export function showGuard(element: HTMLElement, result: ClassifyResult | undefined): string | undefined {
  const warning = result ? warningFor(result) : undefined;
  const score = result?.anomalyScore;
  const threshold = result?.anomalyThreshold;
  element.classList.toggle('warning', warning !== undefined);
  element.hidden = score === undefined || threshold === undefined;
  element.textContent = warning ? `⚠ ${warning}` : score !== undefined && threshold !== undefined ? `${checkPassedText(score, threshold)}.` : '';
  return warning;
}

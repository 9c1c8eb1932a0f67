import { oneLine } from '../errors';
import { verdict, type OodGuard } from '../anomaly/oodGuard';
import type { Scan } from '../scan/scan';
import type { ClassPeak } from './classifyVolume';

export interface GuardedPeaks {
  readonly peaks: readonly ClassPeak[];
  /** One per peak slice the guard could not score; those peaks stand without a verdict. */
  readonly notes: readonly string[];
}

/**
 * Each class's peak slice with the guard's verdict on that slice: a peak
 * often lands on an edge slice far from anything the model was trained on.
 * `volume` is cut along the axis the peaks index. Classes often peak on the
 * same slice, so each distinct slice is scored once; a peak with no slice
 * (a class whose probabilities were all NaN) has nothing to score.
 */
export async function guardPeaks(peaks: readonly ClassPeak[], volume: Scan, guard: Pick<OodGuard, 'scorer'>): Promise<GuardedPeaks> {
  const slices = [...new Set(peaks.map((p) => p.slice).filter((s) => s >= 0))].sort((a, b) => a - b);
  const verdicts = new Map<number, Pick<ClassPeak, 'anomalyScore' | 'anomalyThreshold' | 'flag'>>();
  const notes: string[] = [];
  for (const slice of slices) {
    try {
      const { score, threshold } = await guard.scorer.scoreSlice(volume, slice);
      const { anomalyScore, threshold: anomalyThreshold, flag } = verdict(score, threshold);
      verdicts.set(slice, { anomalyScore, anomalyThreshold, ...(flag ? { flag } : {}) });
    } catch (error) {
      notes.push(`anomaly score failed on slice index ${slice}: ${oneLine(error)}`);
    }
  }
  return { peaks: peaks.map((p) => ({ ...p, ...verdicts.get(p.slice) })), notes };
}

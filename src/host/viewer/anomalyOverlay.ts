import { anomalyHeat } from '../../core/anomaly/heatmap';
import type { OodGuard } from '../../core/anomaly/oodGuard';
import type { Scan } from '../../core/scan/scan';
import type { AnomalyMapResult, SliceHeat } from '../../protocol/viewerMessages';
import { sliceAnomaly, type SliceAnomaly } from './sliceAnomaly';

/** The anomaly map over the slice on its fixed scale (NaN where unseen): what the page colours and blends, in any colormap and opacity. */
export function anomalyMapHeat(anomaly: SliceAnomaly, size: { width: number; height: number }): SliceHeat {
  return { width: size.width, height: size.height, values: anomalyHeat(anomaly, size).data };
}

/** The overlay answer for one slice (of a scan already cut along the wanted axis): the map's heat, score and threshold, from the slice's one scoring. */
export async function anomalyMapResult(guard: OodGuard, scan: Scan, index: number): Promise<AnomalyMapResult> {
  const anomaly = await sliceAnomaly(guard, scan, index);
  const [, height, width] = scan.shape;
  const normalScores = calibrationScores(guard);
  return {
    heat: anomalyMapHeat(anomaly, { width, height }),
    anomalyScore: anomaly.score,
    anomalyThreshold: anomaly.threshold,
    ...(normalScores ? { normalScores } : {}),
    mapSize: [anomaly.map.width, anomaly.map.height],
  };
}

/** The held-out normal scores a fitted detector keeps (its summary's threshold.calibration.scores), if it does. */
export function calibrationScores(guard: OodGuard): number[] | undefined {
  const scores = (guard.scorer.summary() as { threshold?: { calibration?: { scores?: unknown } } }).threshold?.calibration?.scores;
  return Array.isArray(scores) && scores.every((s) => typeof s === 'number') ? [...(scores as number[])] : undefined;
}

import { thresholdHeat } from '../../core/anomaly/heatmap';
import type { OodGuard } from '../../core/anomaly/oodGuard';
import { scoreVolumeSlices } from '../../core/anomaly/volumeScores';
import { reslicedSlice, type SliceAxis } from '../../core/scan/reslice';
import type { Scan } from '../../core/scan/scan';
import type { AnomalyMapResult, Axis } from '../../protocol/viewerMessages';
import { calibrationScores } from './anomalyOverlay';
import { keptPerScan } from './keptPerScan';

/** The axis a slice-wise detector scores a volume along in the viewer: the plane it is fitted on, as `anomaly score --volume` defaults. */
export const DETECTOR_AXIS: SliceAxis = 'axial';

/** A volume scored by the guard once: its 3D map on the scan's voxels and the volume's score. */
interface VolumeAnomaly {
  /** One-channel float32 on the scan's voxels, in the detector's map units; NaN where its input did not cover a slice. */
  readonly map: Scan;
  readonly score: number;
  readonly threshold: number;
  /** The highest-scoring slice along DETECTOR_AXIS, of `count`. */
  readonly index: number;
  readonly count: number;
  /** The detector's map size (its input). */
  readonly mapSize: [number, number];
}

/**
 * A 2D model's detector over a volume in the viewer: every slice along the
 * detector's axis scored once per guard and scan, their maps placed on the
 * scan's voxels (scoreVolumeSlices, as `anomaly score --volume --out` writes
 * them), and each slice of any axis cut from that one map, on the fixed
 * scale of the threshold, so the coronal and sagittal views show the same map.
 */
export class VolumeAnomalies {
  private readonly scored = new WeakMap<OodGuard, WeakMap<Scan, Promise<VolumeAnomaly>>>();

  /** True once the volume's map is made or being made: a slice is then only a cut. */
  has(guard: OodGuard, scan: Scan): boolean {
    return this.scored.get(guard)?.has(scan) === true;
  }

  /** The overlay of slice `index` along `axis`, cut from the volume's map (made on first asking). */
  async result(guard: OodGuard, scan: Scan, axis: Axis, index: number, onSlice?: (done: number, total: number) => void): Promise<AnomalyMapResult> {
    const volume = await this.volume(guard, scan, onSlice);
    const cut = reslicedSlice(volume.map, axis, index);
    const [, height, width] = cut.shape;
    const heat = thresholdHeat({ width, height, channels: 1, data: cut.voxels as Float32Array }, volume.threshold);
    const normalScores = calibrationScores(guard);
    return {
      heat: { width, height, values: heat.data },
      anomalyScore: volume.score,
      anomalyThreshold: volume.threshold,
      ...(normalScores ? { normalScores } : {}),
      mapSize: volume.mapSize,
      volume: { axis: DETECTOR_AXIS, slice: volume.index, count: volume.count },
    };
  }

  private volume(guard: OodGuard, scan: Scan, onSlice?: (done: number, total: number) => void): Promise<VolumeAnomaly> {
    return keptPerScan(this.scored, guard, scan, () =>
      scoreVolumeSlices(guard.scorer, scan, { axis: DETECTOR_AXIS, map: true, onSlice }).then((scored) => {
        const { best, count, map } = scored!;
        return { map: map!, score: best.result.score, threshold: best.result.threshold, index: best.index, count, mapSize: [best.result.map.width, best.result.map.height] };
      }),
    );
  }
}

import type { RunControl } from '../../core/explain/perturbations';
import { classifyWholeScan } from '../../core/jobs/classifyJob';
import { explainVolumeScan } from '../../core/jobs/explainVolumeJob';
import type { LoadedModel } from '../../core/model/loadModel';
import { matchGrid } from '../../core/preprocess/matchGrid';
import { mapToScanGrid } from '../../core/preprocess/volume3dInverse';
import { channelsAround } from '../../core/jobs/volumeChannels';
import { DEFAULT_LIMITS } from '../../core/scan/limits';
import { keptPerScan } from './keptPerScan';
import { reslicedSlice } from '../../core/scan/reslice';
import type { Scan } from '../../core/scan/scan';
import { smoothingFlags } from '../../core/vocabulary/camMethods';
import type { Axis, ClassifyResult, ExplainChoice, ExplainResult } from '../../protocol/viewerMessages';
import { explanationKey } from './sliceExplanation';

/** A 3D explanation brought onto the scan's own voxels: what every slice of every axis is cut from. */
interface VolumeOverlay {
  readonly method: ExplainResult['method'];
  readonly classIndex: number;
  /** The map on the scan's voxels, as the scan stores them; [0,1], NaN where the model did not see. */
  readonly map: Scan;
  /** The layer's grid: width (S), height (A), depth (R). */
  readonly mapSize: [number, number, number];
}

/** Explanations kept per model and scan: a volume's few methods and classes, each the size of the scan. */
const KEPT = 4;

/**
 * A 3D model (NCDHW) in the viewer: the volume is classified and explained
 * whole, once per model, document, method and class; the explanation goes back
 * onto the scan's voxels (mapToScanGrid, as `scanlens explain --out map.nii.gz`
 * writes it), and each slice on each axis is cut from it as the scan is cut, so
 * the overlay follows the slices without asking the model again.
 */
export class VolumeResults {
  private readonly classified = new WeakMap<LoadedModel, WeakMap<Scan, Promise<ClassifyResult>>>();
  private readonly channels = new WeakMap<LoadedModel, WeakMap<Scan, Promise<Scan[]>>>();
  private readonly explained = new WeakMap<LoadedModel, WeakMap<Scan, Map<string, Promise<VolumeOverlay>>>>();
  /** The maps already made, so a slice can carry its cut without waiting. */
  private readonly made = new WeakMap<Promise<VolumeOverlay>, VolumeOverlay>();

  /** What the model takes for the scan: the scan, or for a multi-sequence model the subject's sequences around it (read once). */
  private inputs(model: LoadedModel, scan: Scan): Promise<Scan[]> {
    return keptPerScan(this.channels, model, scan, () => channelsAround(scan, model.manifest.input, DEFAULT_LIMITS));
  }

  /** The whole volume's probabilities: the same for every slice. */
  classify(model: LoadedModel, scan: Scan): Promise<ClassifyResult> {
    return keptPerScan(this.classified, model, scan, () =>
      this.inputs(model, scan)
        .then((scans) => classifyWholeScan(model, scans, scan.path))
        .then((row) => ({ labels: [...model.manifest.labels], probabilities: [...row.probabilities!], model: model.manifest.name })),
    );
  }

  /** True once the volume's map for `choice` is made (or being made): later slices are only cut from it. */
  has(model: LoadedModel, scan: Scan, choice: ExplainChoice): boolean {
    return this.explained.get(model)?.get(scan)?.has(explanationKey(0, choice)) === true;
  }

  /** The explanation of slice `index` along `axis`: the volume's map (made on first asking) cut there. */
  async explain(model: LoadedModel, scan: Scan, axis: Axis, index: number, choice: ExplainChoice, control?: RunControl): Promise<ExplainResult> {
    return this.cut(model, await this.overlay(model, scan, choice, control), axis, index);
  }

  /** The explanation of slice `index` along `axis` when the volume's map for `choice` is already made; else undefined, without starting it. */
  madeCut(model: LoadedModel, scan: Scan, axis: Axis, index: number, choice: ExplainChoice): ExplainResult | undefined {
    const pending = this.explained.get(model)?.get(scan)?.get(explanationKey(0, choice));
    const overlay = pending && this.made.get(pending);
    return overlay && this.cut(model, overlay, axis, index);
  }

  private cut(model: LoadedModel, overlay: VolumeOverlay, axis: Axis, index: number): ExplainResult {
    const slice = reslicedSlice(overlay.map, axis, index);
    const [, height, width] = slice.shape;
    return {
      method: overlay.method,
      classIndex: overlay.classIndex,
      label: model.manifest.labels[overlay.classIndex]!,
      heat: { width, height, values: slice.voxels as Float32Array },
      mapSize: overlay.mapSize,
    };
  }

  private overlay(model: LoadedModel, scan: Scan, choice: ExplainChoice, control?: RunControl): Promise<VolumeOverlay> {
    let byScan = this.explained.get(model);
    if (!byScan) this.explained.set(model, (byScan = new WeakMap()));
    let kept = byScan.get(scan);
    if (!kept) byScan.set(scan, (kept = new Map()));
    const key = explanationKey(0, choice);
    let result = kept.get(key);
    if (result) kept.delete(key);
    else {
      result = this.inputs(model, scan)
        .then((scans) => explainVolumeScan(model, scans, { method: choice.method, classIndex: choice.classIndex, ...smoothingFlags(choice.smooth), ...control }))
        .then((job) => {
          const { map } = job.explanation;
          // On the first sequence's voxels; a scan opened on another grid (another sequence) takes it through world coordinates.
          const onFirst: Scan = { ...job.scan, channels: 1, rescale: undefined, voxels: mapToScanGrid(job.grid, job.geometry, Number.NaN) };
          return {
            method: job.explanation.method,
            classIndex: job.explanation.classIndex,
            map: job.scan === scan ? { ...scan, channels: 1, voxels: onFirst.voxels } : { ...scan, channels: 1, voxels: matchGrid(scan, onFirst, 'map', Number.NaN).voxels },
            mapSize: [map.width, map.height, map.depth ?? 1],
          };
        });
      const runs = kept;
      const started = result;
      started.then(
        (overlay) => this.made.set(started, overlay),
        () => runs.get(key) === started && runs.delete(key),
      );
    }
    kept.set(key, result);
    if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    return result;
  }
}

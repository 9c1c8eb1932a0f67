import { basename, join } from 'node:path';
import { anomalyHeat } from '../../core/anomaly/heatmap';
import { modelGuard } from '../../core/anomaly/modelGuard';
import type { OodGuard } from '../../core/anomaly/oodGuard';
import { ScanLensError } from '../../core/errors';
import type { Image2D } from '../../core/image';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import type { LoadedModel } from '../../core/model/loadModel';
import { explanationPng } from '../../core/render/explanationOverlay';
import { overlayHeatmap } from '../../core/render/overlay';
import { encodePng } from '../../core/render/png';
import { sliceImage, type Scan } from '../../core/scan/scan';
import { SCANLENS_VERSION } from '../../core/version';
import { ANOMALY_OVERLAY, type AnomalyMapResult, type Axis, type ExportResult, type OverlayOptions, type ViewerWindow } from '../../protocol/viewerMessages';
import { sliceAnomaly } from './sliceAnomaly';
import type { SliceExplanations } from './sliceExplanation';
import type { SliceScorecards } from './sliceScorecard';
import { classifySlice } from './viewerInference';

/** A slice through a display window, to [0,1]; RGB keeps its channels. */
export function windowed(image: Image2D, window: ViewerWindow): Image2D {
  const low = window.center - window.width / 2;
  const width = Math.max(window.width, Number.EPSILON);
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, (image.data[i]! - low) / width));
  return { ...image, data };
}

export interface ExportRequest {
  /** The scan's file: named in the report, and the stem of what is written. */
  readonly file: string;
  /** Where the report goes (the provider's choice: scanlens-results/ of the workspace folder, else the file's own folder). */
  readonly folder: string;
  readonly scan: Scan;
  readonly axis: Axis;
  readonly index: number;
  readonly window: ViewerWindow;
  readonly overlay: OverlayOptions;
  /** The explanations the viewer keeps: the one on screen is drawn from there, not computed again. */
  readonly explanations: SliceExplanations;
  /** The scorecards the viewer keeps: one computed for the explanation on screen goes into the report (none is computed for it). */
  readonly scorecards?: SliceScorecards;
  /** On a volume: the anomaly overlay as the viewer cuts it from the volume's map (VolumeAnomalies), instead of the slice scored alone. */
  readonly volumeAnomaly?: (guard: OodGuard) => Promise<AnomalyMapResult>;
}

/** The overlay on screen drawn over the windowed slice, and the report's description of it (under `explanation` or `anomalyMap`). */
async function shownOverlay(model: LoadedModel, guard: OodGuard | undefined, base: Image2D, request: ExportRequest): Promise<{ png: Buffer; described: Record<string, unknown> }> {
  const { scan, index, overlay } = request;
  const { colormap, opacity } = overlay;
  if (overlay.method === ANOMALY_OVERLAY) {
    if (!guard) throw new ScanLensError(`model ${model.manifest.name} names no anomaly detector, so there is no anomaly map to export`);
    if (request.volumeAnomaly) {
      const shown = await request.volumeAnomaly(guard);
      const heat = { width: shown.heat.width, height: shown.heat.height, channels: 1 as const, data: Float32Array.from(shown.heat.values) };
      const png = await encodePng(overlayHeatmap(base, heat, colormap, opacity));
      const scale = { bottom: 0, middle: shown.anomalyThreshold, top: 2 * shown.anomalyThreshold };
      return { png, described: { anomalyMap: { scale, mapSize: shown.mapSize, colormap, opacity, volume: { ...shown.volume, score: shown.anomalyScore } } } };
    }
    // The slice's one scoring, which sliceAnomaly keeps: the map on screen, not a second run of the detector.
    const anomaly = await sliceAnomaly(guard, scan, index);
    const png = await encodePng(overlayHeatmap(base, anomalyHeat(anomaly, base), colormap, opacity));
    // The map values at the bottom, middle and top of the colormap: a fixed scale, the same for every slice.
    const scale = { bottom: 0, middle: anomaly.threshold, top: 2 * anomaly.threshold };
    return { png, described: { anomalyMap: { scale, mapSize: [anomaly.map.width, anomaly.map.height], colormap, opacity } } };
  }
  // The explanation on screen, as the viewer keeps it (computed here only if it was never shown).
  const choice = { method: overlay.method, classIndex: overlay.classIndex, ...(overlay.smooth ? { smooth: overlay.smooth } : {}) };
  const explanation = await request.explanations.of(model, scan, index, choice);
  const png = explanationPng(base, explanation.map, model.manifest.input, colormap, opacity);
  const described = {
    method: explanation.method,
    class: { index: explanation.classIndex, label: model.manifest.labels[explanation.classIndex] },
    layer: explanation.layer?.tensor ?? null,
    ...(overlay.smooth ? { smooth: overlay.smooth } : {}),
    colormap,
    opacity,
  };
  const scored = request.scorecards?.shown(model, scan, index, choice);
  return { png, described: { explanation: described, ...(scored ? { scorecard: scored.scorecard } : {}) } };
}

/** The slice as shown (window, overlay) as PNG, and the results as JSON, each written atomically. */
export async function exportReport(model: LoadedModel, request: ExportRequest): Promise<ExportResult> {
  const { scan, index } = request;
  const guard = await modelGuard(model);
  const base = windowed(sliceImage(scan, index), request.window);
  const [classified, { png, described }] = await Promise.all([classifySlice(model, scan, index, guard), shownOverlay(model, guard, base, request)]);
  const stem = join(request.folder, `${basename(request.file).replace(/\.(nii\.gz|[^.]+)$/i, '')}-${request.axis}-${index}`);
  const report = {
    scanlens: { version: SCANLENS_VERSION },
    file: request.file,
    model: { name: model.manifest.name, version: model.manifest.version, sha256: model.sha256 },
    view: { axis: request.axis, slice: index, window: request.window },
    labels: classified.labels,
    probabilities: classified.probabilities,
    // The guard's verdict; undefined, and so not written, for a model without a guard.
    anomalyScore: classified.anomalyScore,
    anomalyThreshold: classified.anomalyThreshold,
    flag: classified.flag,
    ...described,
    image: `${basename(stem)}.png`,
  };
  await writeFileAtomic(`${stem}.png`, png);
  await writeFileAtomic(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  return { png: `${stem}.png`, json: `${stem}.json` };
}

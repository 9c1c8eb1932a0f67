import { anomalyHeat } from '../../core/anomaly/heatmap';
import type { OodGuard } from '../../core/anomaly/oodGuard';
import type { Image2D } from '../../core/image';
import { colourise, type ColormapName } from '../../core/render/colormaps';
import { heatColours } from '../../core/render/heatColours';
import { encodePng } from '../../core/render/png';
import type { Scan } from '../../core/scan/scan';
import type { AnomalyMapResult } from '../../protocol/viewerMessages';
import { sliceAnomaly, type SliceAnomaly } from './sliceAnomaly';

/** The anomaly map as the overlay image: coloured at the slice's size (transparent where unseen); the webview blends it at the chosen opacity. */
export function anomalyMapImage(anomaly: SliceAnomaly, size: { width: number; height: number }, colormap: ColormapName): Image2D {
  return heatColours(colormap, anomalyHeat(anomaly, size));
}

/** The colormap from 0 to 1 as a 256×1 strip: the legend's bar. */
function legendStrip(colormap: ColormapName): Image2D {
  const ramp = Float32Array.from({ length: 256 }, (_, i) => i / 255);
  return { width: 256, height: 1, channels: 3, data: colourise(colormap, ramp) };
}

const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** The overlay answer for one slice (of a scan already cut along the wanted axis): map image, legend, score and threshold. */
export async function anomalyMapResult(guard: OodGuard, scan: Scan, index: number, colormap: ColormapName): Promise<AnomalyMapResult> {
  const anomaly = await sliceAnomaly(guard, scan, index);
  const [, height, width] = scan.shape;
  const [png, legend] = await Promise.all([encodePng(anomalyMapImage(anomaly, { width, height }, colormap)), encodePng(legendStrip(colormap))]);
  return { png: dataUrl(png), legend: dataUrl(legend), anomalyScore: anomaly.score, anomalyThreshold: anomaly.threshold, mapSize: [anomaly.map.width, anomaly.map.height] };
}

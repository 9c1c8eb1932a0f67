import type { ColormapName } from '../core/render/colormaps';
import type { SliceHeat } from '../protocol/viewerMessages';
import { heatRgba } from './pixels';

/** A heat map coloured at its own size, ready to be drawn scaled over the slice. */
export function heatCanvas(heat: SliceHeat, colormap: ColormapName): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = heat.width;
  canvas.height = heat.height;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(heat.width, heat.height);
  heatRgba(colormap, heat.values, image.data);
  context.putImageData(image, 0, 0);
  return canvas;
}

/** The colormap from 0 to 1 as a 256×1 strip, as a PNG data: URL (the page admits images only from data:): the legend's bar. */
export function colormapStrip(colormap: ColormapName): string {
  const ramp = Float32Array.from({ length: 256 }, (_, i) => i / 255);
  return heatCanvas({ width: 256, height: 1, values: ramp }, colormap).toDataURL('image/png');
}

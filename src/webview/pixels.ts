import { colourise, type ColormapName } from '../core/render/colormaps';

/** Pure pixel work of the viewer page, kept apart from the DOM so it can be unit tested. */

export interface Window {
  readonly center: number;
  readonly width: number;
}

/**
 * Modality values through a display window to RGBA bytes (DICOM's linear
 * VOI function, simplified to center ± width/2); RGB slices keep their colour.
 */
export function windowToRgba(values: Float32Array, channels: 1 | 3, window: Window, out: Uint8ClampedArray): void {
  const low = window.center - window.width / 2;
  const scale = 255 / Math.max(window.width, Number.EPSILON);
  const n = values.length / channels;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (channels === 1) {
      const v = (values[i]! - low) * scale;
      out[o] = out[o + 1] = out[o + 2] = v;
    } else {
      for (let c = 0; c < 3; c++) out[o + c] = (values[i * 3 + c]! - low) * scale;
    }
    out[o + 3] = 255;
  }
}

/**
 * Window/level after dragging by (dx, dy) screen pixels: right widens, down
 * brightens (lowers the center). Steps scale with the starting width, so the
 * feel is the same for 8-bit PNGs, CT in HU and float NIfTI.
 */
export function dragWindow(start: Window, dx: number, dy: number): Window {
  const step = Math.max(Math.abs(start.width), 1e-6) / 256;
  return { center: start.center - dy * step, width: Math.max(step, start.width + dx * step) };
}

/** A slice index moved by `delta`, kept inside the volume. */
export function clampSlice(index: number, delta: number, depth: number): number {
  return Math.min(depth - 1, Math.max(0, index + delta));
}

/**
 * Heat values ([0,1], NaN where the model did not see the slice) coloured
 * into RGBA bytes: the colours of core/render's heatColours, written as its
 * PNG carries them (each channel × 255, rounded), opaque where seen and
 * transparent where not. Pure, so the page's colours can be checked against
 * the host's outside a browser.
 */
export function heatRgba(colormap: ColormapName, heat: Float32Array, out: Uint8ClampedArray): void {
  const rgb = colourise(colormap, heat);
  for (let i = 0; i < heat.length; i++) {
    const o = i * 4;
    out[o] = rgb[i * 3]! * 255;
    out[o + 1] = rgb[i * 3 + 1]! * 255;
    out[o + 2] = rgb[i * 3 + 2]! * 255;
    out[o + 3] = Number.isNaN(heat[i]) ? 0 : 255;
  }
}

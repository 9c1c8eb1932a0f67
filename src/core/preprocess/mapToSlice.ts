import type { Image2D } from '../image';
import { placement, resizeImage, type Fit, type Placement } from './resize';

interface Size {
  readonly width: number;
  readonly height: number;
}

/** How a model's input framed the slice: the manifest's input size and fit. */
export interface ModelView {
  readonly size: Size;
  readonly fit: Fit;
}

/**
 * A one-channel map over the model's input (at any resolution: a CAM's grid
 * or the input's own pixels) brought onto the slice: the inverse of
 * resizeImage's geometry, through the same placement, resampled bilinearly.
 * Fill stretches the map over the slice; contain keeps the part of the map
 * over the letterboxed slice; cover sets the model's view where it came from
 * and leaves NaN where the model did not see the slice (the cropped margins),
 * so that those pixels can stay unpainted instead of reading as 'not important'.
 */
export function mapToSlice(map: { width: number; height: number; data: Float32Array }, slice: Size, view: ModelView): Image2D {
  const image: Image2D = { width: map.width, height: map.height, channels: 1, data: map.data };
  if (view.fit === 'fill') return resizeImage(image, slice, 'linear', 'fill');
  const full = resizeImage(image, view.size, 'linear', 'fill');
  const placed = placement(slice, view.size, view.fit);
  return view.fit === 'contain' ? uncontain(full, slice, placed) : uncover(full, slice, placed);
}

/** The input's pixels over the letterboxed slice, resampled to the slice. */
function uncontain(full: Image2D, slice: Size, placed: Placement): Image2D {
  const crop = new Float32Array(placed.width * placed.height);
  for (let y = 0; y < placed.height; y++) {
    const from = (y + placed.dy) * full.width + placed.dx;
    crop.set(full.data.subarray(from, from + placed.width), y * placed.width);
  }
  return resizeImage({ width: placed.width, height: placed.height, channels: 1, data: crop }, slice, 'linear', 'fill');
}

/**
 * The input set into the scaled slice's frame, resampled to the slice. A
 * second channel weighs each value by whether the input held it, so pixels
 * at the edge of the model's view are not dimmed by the unseen margin.
 */
function uncover(full: Image2D, slice: Size, placed: Placement): Image2D {
  const frame = new Float32Array(placed.width * placed.height * 2);
  for (let y = 0; y < full.height; y++) {
    for (let x = 0; x < full.width; x++) {
      const at = ((y - placed.dy) * placed.width + x - placed.dx) * 2;
      frame[at] = full.data[y * full.width + x]!;
      frame[at + 1] = 1;
    }
  }
  const back = resizeImage({ width: placed.width, height: placed.height, channels: 2, data: frame }, slice, 'linear', 'fill');
  const seenX = seenAlong(slice.width, placed.width, -placed.dx, full.width);
  const seenY = seenAlong(slice.height, placed.height, -placed.dy, full.height);
  const out = new Float32Array(slice.width * slice.height);
  for (let y = 0; y < slice.height; y++) {
    for (let x = 0; x < slice.width; x++) {
      const i = y * slice.width + x;
      const weight = back.data[i * 2 + 1]!;
      out[i] = seenX[x] && seenY[y] && weight > 0 ? back.data[i * 2]! / weight : Number.NaN;
    }
  }
  return { width: slice.width, height: slice.height, channels: 1, data: out };
}

/** Per slice pixel along one axis: whether its centre, in the scaled frame (resampling's pixel-centre convention), falls inside the input's span. */
function seenAlong(sliceLength: number, frameLength: number, start: number, inputLength: number): Uint8Array {
  const scale = frameLength / sliceLength;
  return Uint8Array.from({ length: sliceLength }, (_, i) => {
    const centre = (i + 0.5) * scale;
    return centre >= start && centre < start + inputLength ? 1 : 0;
  });
}

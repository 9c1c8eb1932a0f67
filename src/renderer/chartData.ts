import { mapToSlice } from '../core/preprocess/mapToSlice';
import type { NotebookResult } from '../protocol/notebookResult';

type Classify = Extract<NotebookResult, { kind: 'classify' }>;
type Volume = Extract<NotebookResult, { kind: 'volume' }>;
type Evaluate = Extract<NotebookResult, { kind: 'evaluate' }>;
type Explain = Extract<NotebookResult, { kind: 'explain' }>;

/** Plain chart series, independent of plotly and the DOM so they can be tested in Node. */
export interface BarSeries {
  readonly x: readonly string[];
  readonly y: readonly number[];
}

/** One class's probability for every classified file (error rows left out), for the class switch. */
export function classProbabilities(result: Classify, classIndex: number): BarSeries {
  const rows = result.rows.filter((r) => 'probabilities' in r);
  return { x: rows.map((r) => r.file), y: rows.map((r) => ('probabilities' in r ? (r.probabilities[classIndex] ?? 0) : 0)) };
}

/** The class a classify result's switch starts on: the most frequent top class. */
export function commonestTop(result: Classify): number {
  const counts = result.labels.map((label) => result.rows.filter((r) => 'top' in r && r.top.label === label).length);
  return counts.indexOf(Math.max(...counts, 0));
}

/** One class's probability along a volume's slices. */
export function sliceProfile(result: Volume, classIndex: number): { readonly x: readonly number[]; readonly y: readonly number[] } {
  return { x: result.slices.map((s) => s.slice), y: result.slices.map((s) => s.probabilities[classIndex] ?? 0) };
}

/** The confusion matrix as row-normalised fractions (rows: true class), for colouring; counts stay as text. */
export function confusionFractions(result: Evaluate): number[][] {
  return result.confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((n) => (total > 0 ? n / total : 0));
  });
}

/** The raw explanation map as rows of a min-max normalised grid (row 0 at the top), as a heatmap wants it. */
export function mapGrid(map: { readonly width: number; readonly height: number; readonly data: readonly number[] }): number[][] {
  const min = Math.min(...map.data);
  const max = Math.max(...map.data);
  const span = max - min;
  return Array.from({ length: map.height }, (_, y) => Array.from({ length: map.width }, (_, x) => (span > 0 ? ((map.data[y * map.width + x] ?? min) - min) / span : 0)));
}

/** The long side of the grid an overlay is sampled on: the chart is a few hundred pixels wide, a 2048² scan's map need not be drawn at every pixel. */
const OVERLAY_GRID = 512;

/** An explanation map laid over the scan, as a heatmap draws it. */
export interface OverlayGrid {
  /** The extent the chart spans: the scan's pixels (the map's own cells for results without a view). */
  readonly width: number;
  readonly height: number;
  /** Cell centres along each axis: x0 + i·dx, in the extent's pixels. */
  readonly x0: number;
  readonly dx: number;
  readonly y0: number;
  readonly dy: number;
  /** Rows (row 0 at the top), min-max normalised; null where the model did not see the scan (cover's cropped margins), which the heatmap leaves uncoloured. */
  readonly z: (number | null)[][];
}

/**
 * The explanation map over the slice, placed as the model's input framed it
 * (mapToSlice, as the viewer and the PNG place it) on a grid with the slice's
 * proportions, then min-max normalised. A result saved without its view gets
 * the raw map, which the chart stretches over the scan.
 */
export function overlayGrid(result: Explain): OverlayGrid {
  const { map, view } = result;
  if (!view) return { width: map.width, height: map.height, x0: 0, dx: 1, y0: 0, dy: 1, z: mapGrid(map) };
  const { slice } = view;
  const scale = Math.min(1, OVERLAY_GRID / Math.max(slice.width, slice.height));
  const grid = { width: Math.max(1, Math.round(slice.width * scale)), height: Math.max(1, Math.round(slice.height * scale)) };
  const heat = mapToSlice({ width: map.width, height: map.height, data: Float32Array.from(map.data) }, grid, { size: view.input, fit: view.fit }).data;
  let [min, max] = [Infinity, -Infinity];
  for (const v of heat) {
    if (Number.isNaN(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const span = max - min;
  const [dx, dy] = [slice.width / grid.width, slice.height / grid.height];
  const z = Array.from({ length: grid.height }, (_, y) => Array.from(heat.subarray(y * grid.width, (y + 1) * grid.width), (v) => (Number.isNaN(v) ? null : span > 0 ? (v - min) / span : 0)));
  return { width: slice.width, height: slice.height, x0: (dx - 1) / 2, dx, y0: (dy - 1) / 2, dy, z };
}

/** A probability as a percentage with one decimal, as the tables show it. */
export function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

import type { NotebookResult } from '../protocol/notebookResult';

type Classify = Extract<NotebookResult, { kind: 'classify' }>;
type Volume = Extract<NotebookResult, { kind: 'volume' }>;
type Evaluate = Extract<NotebookResult, { kind: 'evaluate' }>;

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

/** A probability as a percentage with one decimal, as the tables show it. */
export function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

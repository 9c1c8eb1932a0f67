/**
 * Static SVG versions of the charts, for viewers without plotly (a code
 * hosting site's notebook preview): plain shapes and text, fixed size.
 */
import { htmlText } from '../../core/text/escape';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const WIDTH = 680;
const HEIGHT = 320;
const PLOT = { left: 50, right: 190, top: 30, bottom: 40 };

const escape = htmlText;

const n = (v: number): string => (Math.round(v * 10) / 10).toString();

function frame(title: string, body: string[], height = HEIGHT): string {
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
      `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
      `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="13">${escape(title)}</text>`,
      ...body,
      '</svg>',
    ].join('\n') + '\n'
  );
}

function legend(names: readonly string[]): string[] {
  const shown = names.slice(0, 16);
  const items = shown.map((name, i) => {
    const y = PLOT.top + i * 16;
    return `<rect x="${WIDTH - PLOT.right + 12}" y="${y}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${WIDTH - PLOT.right + 26}" y="${y + 9}">${escape(name)}</text>`;
  });
  if (names.length > shown.length) items.push(`<text x="${WIDTH - PLOT.right + 12}" y="${PLOT.top + shown.length * 16 + 9}">… ${names.length - shown.length} more</text>`);
  return items;
}

/** Axes for a [0,1] y range with gridlines at 0, 0.5, 1. */
function unitAxes(yLabel: string): string[] {
  const bottom = HEIGHT - PLOT.bottom;
  const span = bottom - PLOT.top;
  return [0, 0.5, 1]
    .flatMap((t) => {
      const y = bottom - t * span;
      return [`<line x1="${PLOT.left}" y1="${n(y)}" x2="${WIDTH - PLOT.right}" y2="${n(y)}" stroke="#ddd"/>`, `<text x="${PLOT.left - 6}" y="${n(y + 4)}" text-anchor="end">${t}</text>`];
    })
    .concat(`<text x="12" y="${n(PLOT.top + span / 2)}" transform="rotate(-90 12 ${n(PLOT.top + span / 2)})" text-anchor="middle">${escape(yLabel)}</text>`);
}

/** Grouped bars: one group per category, one bar per series, values in [0,1]. */
export function barChartSvg(title: string, categories: readonly string[], series: readonly { name: string; values: readonly number[] }[]): string {
  const bottom = HEIGHT - PLOT.bottom;
  const group = (WIDTH - PLOT.left - PLOT.right) / categories.length;
  const bar = (group * 0.8) / Math.max(1, series.length);
  const bars = series.flatMap((s, j) =>
    s.values.map((v, i) => {
      const h = Math.max(0, Math.min(1, v)) * (bottom - PLOT.top);
      return `<rect x="${n(PLOT.left + i * group + group * 0.1 + j * bar)}" y="${n(bottom - h)}" width="${n(bar)}" height="${n(h)}" fill="${PALETTE[j % PALETTE.length]}"/>`;
    }),
  );
  const ticks = categories.map((c, i) => `<text x="${n(PLOT.left + (i + 0.5) * group)}" y="${bottom + 16}" text-anchor="middle">${escape(c)}</text>`);
  return frame(title, [...unitAxes('probability'), ...bars, ...ticks, ...legend(series.map((s) => s.name))]);
}

/** Lines over x and y both in [0,1] (ROC) or x over slice indices (profiles); y in [0,1]. */
export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly { name: string; x: readonly number[]; y: readonly number[]; dashed?: boolean }[]): string {
  const bottom = HEIGHT - PLOT.bottom;
  const xs = series.flatMap((s) => s.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const sx = (x: number): number => PLOT.left + ((x - xMin) / (xMax - xMin || 1)) * (WIDTH - PLOT.left - PLOT.right);
  const sy = (y: number): number => bottom - y * (bottom - PLOT.top);
  const lines = series.map((s, i) => {
    const points = s.x.map((x, k) => `${n(sx(x))},${n(sy(s.y[k]!))}`).join(' ');
    return `<polyline points="${points}" fill="none" stroke="${s.dashed ? '#999' : PALETTE[i % PALETTE.length]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 4"' : ''}/>`;
  });
  const ticks = [xMin, xMax].map((x, i) => `<text x="${n(sx(x))}" y="${bottom + 16}" text-anchor="${i === 0 ? 'start' : 'end'}">${n(x)}</text>`);
  const label = `<text x="${n((PLOT.left + WIDTH - PLOT.right) / 2)}" y="${bottom + 30}" text-anchor="middle">${escape(xLabel)}</text>`;
  return frame(title, [...unitAxes(yLabel), ...lines, ...ticks, label, ...legend(series.filter((s) => !s.dashed).map((s) => s.name))]);
}

/** A labelled count matrix, darker for larger counts; rows true, columns predicted. */
export function heatmapSvg(title: string, labels: readonly string[], matrix: readonly (readonly number[])[]): string {
  const size = Math.min(72, 360 / Math.max(1, labels.length));
  const left = 120;
  const top = 64;
  const max = Math.max(1, ...matrix.flat());
  const cells = matrix.flatMap((row, r) =>
    row.map((v, c) => {
      const shade = Math.round(245 - (v / max) * 190);
      const x = left + c * size;
      const y = top + r * size;
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(size)}" height="${n(size)}" fill="rgb(${shade},${shade},255)" stroke="white"/><text x="${n(x + size / 2)}" y="${n(y + size / 2 + 4)}" text-anchor="middle" fill="${v / max > 0.6 ? 'white' : 'black'}">${v}</text>`;
    }),
  );
  const rowsText = labels.map((l, r) => `<text x="${left - 6}" y="${n(top + r * size + size / 2 + 4)}" text-anchor="end">${escape(l)}</text>`);
  const colsText = labels.map((l, c) => `<text x="${n(left + c * size + size / 2)}" y="${top - 6}" text-anchor="middle">${escape(l)}</text>`);
  const height = top + labels.length * size + 40;
  const axes = [
    `<text x="${left + (labels.length * size) / 2}" y="${top - 22}" text-anchor="middle">predicted</text>`,
    `<text x="12" y="${top + (labels.length * size) / 2}" transform="rotate(-90 12 ${top + (labels.length * size) / 2})" text-anchor="middle">true</text>`,
  ];
  return frame(title, [...cells, ...rowsText, ...colsText, ...axes], height);
}

/** Counts of several groups over shared bins (edges ascending), bars side by side within a bin, with an optional dashed marker (a threshold). */
export function histogramSvg(title: string, xLabel: string, edges: readonly number[], groups: readonly { name: string; counts: readonly number[] }[], marker?: { x: number; label: string }): string {
  const bottom = HEIGHT - PLOT.bottom;
  const right = WIDTH - PLOT.right;
  const xs = marker ? [...edges, marker.x] : [...edges];
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const sx = (x: number): number => PLOT.left + ((x - xMin) / (xMax - xMin || 1)) * (right - PLOT.left);
  const top = Math.max(1, ...groups.flatMap((g) => g.counts));
  const sy = (count: number): number => bottom - (count / top) * (bottom - PLOT.top);
  const bars = groups
    .flatMap((g, j) =>
      g.counts.map((count, i) => {
        const [x0, x1] = [sx(edges[i]!), sx(edges[i + 1]!)];
        const width = (x1 - x0) / groups.length;
        return count === 0 ? '' : `<rect x="${n(x0 + j * width)}" y="${n(sy(count))}" width="${n(Math.max(0.5, width - 1))}" height="${n(bottom - sy(count))}" fill="${PALETTE[j % PALETTE.length]}"/>`;
      }),
    )
    .filter(Boolean);
  const yTicks = [0, Math.round(top / 2), top].flatMap((t) => [
    `<line x1="${PLOT.left}" y1="${n(sy(t))}" x2="${right}" y2="${n(sy(t))}" stroke="#ddd"/>`,
    `<text x="${PLOT.left - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${t}</text>`,
  ]);
  const xTicks = [xMin, xMax].map((x, i) => `<text x="${n(sx(x))}" y="${bottom + 16}" text-anchor="${i === 0 ? 'start' : 'end'}">${n(x)}</text>`);
  const label = `<text x="${n((PLOT.left + right) / 2)}" y="${bottom + 30}" text-anchor="middle">${escape(xLabel)}</text>`;
  const mark = marker
    ? [
        `<line x1="${n(sx(marker.x))}" y1="${PLOT.top}" x2="${n(sx(marker.x))}" y2="${bottom}" stroke="#555" stroke-dasharray="4 4"/>`,
        `<text x="${n(sx(marker.x) + 4)}" y="${PLOT.top + 10}">${escape(marker.label)}</text>`,
      ]
    : [];
  return frame(title, [...yTicks, ...bars, ...mark, ...xTicks, label, ...legend(groups.map((g) => g.name))]);
}

import type { ReliabilityBin } from '../../metrics/calibration';
import { htmlText } from '../../text/escape';

/** Inline SVG charts for the report: plain shapes and text, readable without any script. */

const n = (v: number): string => (Math.round(v * 10) / 10).toString();

/** The confusion matrix, rows true and columns predicted, darker for larger counts, the diagonal outlined. */
export function confusionSvg(labels: readonly string[], matrix: readonly (readonly number[])[]): string {
  const cell = Math.max(28, Math.min(64, 320 / Math.max(1, labels.length)));
  const left = 130;
  const top = 40;
  const side = labels.length * cell;
  const width = left + side + 10;
  const height = top + side + 30;
  const max = Math.max(1, ...matrix.flat());
  const cells = matrix.flatMap((row, r) =>
    row.map((count, c) => {
      const shade = Math.round(245 - (count / max) * 190);
      const [x, y] = [left + c * cell, top + r * cell];
      const outline = r === c ? ' stroke="#333" stroke-width="1.5"' : ' stroke="white"';
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(cell)}" height="${n(cell)}" fill="rgb(${shade},${shade},255)"${outline}/><text x="${n(x + cell / 2)}" y="${n(y + cell / 2 + 4)}" text-anchor="middle" fill="${count / max > 0.6 ? 'white' : 'black'}">${count}</text>`;
    }),
  );
  const rows = labels.map((l, r) => `<text x="${left - 6}" y="${n(top + r * cell + cell / 2 + 4)}" text-anchor="end">${htmlText(l)}</text>`);
  const cols = labels.map((l, c) => `<text x="${n(left + c * cell + cell / 2)}" y="${top - 6}" text-anchor="middle">${htmlText(l)}</text>`);
  const axes = [
    `<text x="${n(left + side / 2)}" y="14" text-anchor="middle" font-weight="bold">predicted</text>`,
    `<text x="${n(left + side / 2)}" y="${n(top + side + 20)}" text-anchor="middle">rows: true class</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="confusion matrix" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="sans-serif" font-size="11">${[...cells, ...rows, ...cols, ...axes].join('')}</svg>`;
}

/**
 * The reliability diagram: for each bin of top probability with rows, a bar
 * up to the share of its rows that were right, over the diagonal a perfectly
 * calibrated model would follow; each bar is labelled with its row count.
 */
export function reliabilitySvg(bins: readonly ReliabilityBin[], ece: number): string {
  const [width, height] = [360, 300];
  const plot = { left: 44, right: 12, top: 24, bottom: 40 };
  const w = width - plot.left - plot.right;
  const h = height - plot.top - plot.bottom;
  const sx = (x: number): number => plot.left + x * w;
  const sy = (y: number): number => plot.top + (1 - y) * h;
  const grid = [0, 0.5, 1].flatMap((t) => [
    `<line x1="${sx(0)}" y1="${n(sy(t))}" x2="${sx(1)}" y2="${n(sy(t))}" stroke="#ddd"/>`,
    `<text x="${plot.left - 6}" y="${n(sy(t) + 4)}" text-anchor="end">${t}</text>`,
    `<text x="${n(sx(t))}" y="${n(sy(0) + 16)}" text-anchor="middle">${t}</text>`,
  ]);
  const bars = bins
    .filter((b) => b.count > 0)
    .map(
      (b) =>
        `<rect x="${n(sx(b.low) + 1)}" y="${n(sy(b.accuracy))}" width="${n(Math.max(1, (b.high - b.low) * w - 2))}" height="${n(sy(0) - sy(b.accuracy))}" fill="#4c78a8"><title>${n(b.low * 100)}–${n(b.high * 100)} %: ${b.count} row(s), accuracy ${b.accuracy.toFixed(3)}, mean confidence ${b.confidence.toFixed(3)}</title></rect>` +
        `<text x="${n(sx((b.low + b.high) / 2))}" y="${n(sy(b.accuracy) - 3)}" text-anchor="middle" font-size="9">${b.count}</text>`,
    );
  const labels = [
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" stroke="#999" stroke-dasharray="4 4"/>`,
    `<text x="${n(sx(0.5))}" y="${height - 6}" text-anchor="middle">top probability (confidence)</text>`,
    `<text x="12" y="${n(sy(0.5))}" transform="rotate(-90 12 ${n(sy(0.5))})" text-anchor="middle">accuracy</text>`,
    `<text x="${sx(0)}" y="14">ECE ${ece.toFixed(4)}</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="reliability diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">${[...grid, ...bars, ...labels].join('')}</svg>`;
}

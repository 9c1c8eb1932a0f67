import type { NotebookResult } from '../../protocol/notebookResult';
import { h, table } from '../dom';

type Simple = Extract<NotebookResult, { kind: 'model' | 'info' | 'preprocess' | 'export' }>;

const n = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(4));

/** Results that read best as a small table: the model in use, scan info, preprocessing stages, an export. */
export function tableView(result: Simple, root: HTMLElement): void {
  switch (result.kind) {
    case 'model':
      root.append(
        h('div', { class: 'sl-title' }, `model ${result.name} ${result.version}`),
        table(
          ['field', 'value'],
          [
            ['sha256', result.sha256],
            ['input', `${result.input.width}×${result.input.height}, ${result.input.channels} channel(s)`],
            ['classes', result.labels.join(', ')],
            ...result.assumptions.map((a) => ['assumed', a]),
          ],
        ),
      );
      return;
    case 'info':
      root.append(
        h('div', { class: 'sl-title' }, `info ${result.file}`),
        table(
          ['format', 'size', 'channels', 'bits', 'min', 'max', 'mean', 'std'],
          [
            [
              result.format,
              `${result.shape.width}×${result.shape.height}×${result.shape.depth}`,
              String(result.channels),
              String(result.bitsPerSample),
              n(result.stats.min),
              n(result.stats.max),
              n(result.stats.mean),
              n(result.stats.std),
            ],
          ],
        ),
      );
      return;
    case 'preprocess':
      root.append(
        h('div', { class: 'sl-title' }, `preprocess ${result.file}`),
        table(
          ['stage', 'size', 'channels', 'min', 'max', 'mean'],
          result.stages.map((s) => [s.name, `${s.width}×${s.height}`, String(s.channels), n(s.min), n(s.max), n(s.mean)]),
        ),
      );
      return;
    case 'export':
      root.append(h('div', { class: 'sl-title' }, `export: ${result.rows} row(s) to ${result.file} (${result.format})`));
      return;
  }
}

import Plotly from 'plotly.js-cartesian-dist-min';
import type { ActivationFunction } from 'vscode-notebook-renderer';
import { NotebookResultSchema } from '../protocol/notebookResult';
import { h } from './dom';
import { scanImages } from './scanImages';
import { STYLES } from './theme';
import { anomalyView } from './views/anomalyView';
import { classifyView } from './views/classifyView';
import type { OpenResultsRequest } from '../protocol/rendererMessages';
import { evaluateView } from './views/evaluateView';
import { explainView } from './views/explainView';
import { tableView } from './views/tableViews';
import { volumeView } from './views/volumeView';

/** Text that is not JSON is reported like any other invalid payload. */
function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Draws `application/vnd.scanlens.result+json` outputs. The payload comes from
 * a file, so it is validated against the protocol schema first; a payload that
 * does not match is reported in the output, never half-drawn.
 */
export const activate: ActivationFunction = (context) => {
  const scanImage = scanImages(context);
  const roots = new Map<string, HTMLElement>();
  const dispose = (id: string): void => {
    roots
      .get(id)
      ?.querySelectorAll<HTMLElement>('.js-plotly-plot')
      .forEach((chart) => Plotly.purge(chart));
    roots.delete(id);
  };
  return {
    async renderOutputItem(item, element) {
      dispose(item.id);
      element.replaceChildren();
      const root = h('div', { class: 'sl-root', 'data-kind': 'invalid' });
      element.append(h('style', {}, STYLES), root);
      roots.set(item.id, root);
      const parsed = NotebookResultSchema.safeParse(readJson(item.text()));
      if (!parsed.success) {
        root.append(h('div', { class: 'sl-error' }, `not a ScanLens result: ${parsed.error.issues[0]?.message ?? 'invalid'}`));
        return;
      }
      const result = parsed.data;
      root.dataset['kind'] = result.kind;
      switch (result.kind) {
        case 'classify':
          return classifyView(result, root, context.postMessage ? () => context.postMessage!({ type: 'openResults', result } satisfies OpenResultsRequest) : undefined);
        case 'explain':
          return explainView(result, root, scanImage(result.file));
        case 'evaluate':
          return evaluateView(result, root);
        case 'volume':
          return volumeView(result, root);
        case 'anomaly':
          return anomalyView(result, root);
        default:
          return tableView(result, root);
      }
    },
    disposeOutputItem(id) {
      if (id === undefined) [...roots.keys()].forEach(dispose);
      else dispose(id);
    },
  };
};

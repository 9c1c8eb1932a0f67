import { el } from './dom';

interface Cells {
  readonly columns: string[];
  readonly rows: string[][];
}

/**
 * The Scorecard section: a button that asks the host to score the
 * explanation on screen, and the table it answers with, cell for cell as the
 * host formats it (the CLI's and the notebook's digits). Cleared when the
 * slice, method or class changes: its numbers belong to one explanation.
 */
export class ScorecardPanel {
  readonly button = el('button', { title: 'Faithfulness, sanity and localisation checks of this explanation' }, 'Score explanation');
  private readonly caption = el('div', { class: 'muted' });
  private readonly table = el('table', { class: 'scorecard' });
  readonly element = el('section', {}, el('h2', {}, 'Scorecard'), el('div', { class: 'row' }, this.button), this.caption, this.table);
  /** The cells on screen, for the page's state. */
  shown: Cells | undefined;

  show(cells: Cells, caption: string): void {
    this.shown = cells;
    this.caption.textContent = caption;
    const head = el('tr', {}, ...cells.columns.map((c) => el('th', {}, c)));
    this.table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...cells.rows.map((row) => el('tr', {}, ...row.map((cell) => el('td', {}, cell))))));
  }

  clear(): void {
    this.shown = undefined;
    this.caption.textContent = '';
    this.table.replaceChildren();
  }

  /** Offered for an explanation method, not for the anomaly map. */
  enable(enabled: boolean): void {
    this.button.disabled = !enabled;
  }
}

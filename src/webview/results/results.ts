import '../controls.css';
import './results.css';
import {
  SavedResultsStateSchema,
  SORT_KEYS,
  type Filter,
  type ResultsEntry,
  type ResultsState,
  type ResultsView,
  type SavedResultsState,
  type Sort,
  type WebviewRequest,
} from '../../protocol/resultsMessages';
import { el, option } from '../dom';
import { auditPanel } from './auditPanel';
import { confidentlyWrong, mostUncertain } from './galleries';
import { vscode } from '../pageChannel';
import { ResultsHostChannel } from './resultsHostChannel';
import { query } from './resultsQuery';
import { moveFocus, scrollToRow, virtualWindow } from './virtualWindow';

const startedAt = performance.now();

/** Tile and row sizes in pixels: fixed, so the visible window is arithmetic, not measurement. */
const TILE = { width: 148, height: 176 };
const ROW_HEIGHT = 24;
const OVERSCAN = 2;
/** Thumbnails asked of the host at once; the rest wait, and are dropped if scrolled away first. */
const THUMBNAILS_IN_FLIGHT = 4;

const pct = (p: number | undefined): string => (p === undefined ? '' : `${(p * 100).toFixed(1)}%`);
const num = (v: number | undefined, digits = 3): string => (v === undefined ? '' : v.toFixed(digits));
const fileName = (file: string): string => file.split('/').pop() ?? file;
const rows = (n: number): string => (n === 1 ? '1 row' : `${n} rows`);

/** Chromium's non-standard heap figure, for the scale measurement; nothing elsewhere. */
function heap(): { heapBytes?: number } {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? { heapBytes: memory.usedJSHeapSize } : {};
}

class ResultsPage {
  private readonly host = new ResultsHostChannel(
    (request) => this.answer(request),
    (reason) => this.fail(reason),
  );
  private view: ResultsView | undefined;
  private mode: 'grid' | 'table' = 'grid';
  private sort: Sort = { key: 'file', descending: false };
  private filter: Filter = {};
  private shown: number[] = [];
  private rendered: number[] = [];
  /** Position in `shown` of the focused entry. */
  private focus = 0;
  private anchor = 0;
  private readonly selected = new Set<number>();
  private readonly thumbnails = new Map<number, { src?: string; error?: string }>();
  private readonly wanted: number[] = [];
  private inFlight = 0;
  private drawQueued = false;
  private firstPaintMs: number | undefined;
  private errorText: string | undefined;
  private galleries = { wrong: [] as number[], uncertain: [] as number[] };

  private readonly ui = {
    text: el('input', { type: 'search', placeholder: 'Filter (/)', 'aria-label': 'Filter by file or class', class: 'text' }),
    label: el('select', { 'aria-label': 'Top class' }),
    truth: el('select', { 'aria-label': 'True class', hidden: '' }),
    flagged: el('select', { 'aria-label': 'Out-of-distribution flag', hidden: '' }, option('', 'Any flag'), option('flagged', 'Flagged (OOD)'), option('unflagged', 'Not flagged')),
    errors: el('select', { 'aria-label': 'Error rows' }, option('', 'All rows'), option('only', 'Errors only'), option('none', 'No errors')),
    wrong: el('input', { type: 'checkbox', id: 'wrong-only' }),
    wrongLabel: el('label', { for: 'wrong-only', hidden: '' }),
    minProbability: el('input', { type: 'number', min: '0', max: '1', step: '0.05', placeholder: 'p ≥', 'aria-label': 'Minimum top probability', class: 'narrow' }),
    maxMargin: el('input', { type: 'number', min: '0', max: '1', step: '0.05', placeholder: 'margin ≤', 'aria-label': 'Maximum margin', class: 'narrow' }),
    minEntropy: el('input', { type: 'number', min: '0', step: '0.1', placeholder: 'entropy ≥', 'aria-label': 'Minimum entropy (bits)', class: 'narrow' }),
    sortKey: el('select', { 'aria-label': 'Sort by' }, ...SORT_KEYS.map((k) => option(k, `Sort: ${k}`))),
    direction: el('button', { class: 'secondary', title: 'Sort direction' }, '↑'),
    grid: el('button', { class: 'secondary', 'aria-pressed': 'true' }, 'Grid'),
    table: el('button', { class: 'secondary', 'aria-pressed': 'false' }, 'Table'),
    count: el('span', { class: 'muted count', role: 'status' }),
    exportCsv: el('button', {}, 'Export CSV'),
    exportJson: el('button', {}, 'Export JSON'),
    copy: el('button', { class: 'secondary' }, 'Copy paths'),
    report: el('button', { title: 'The whole result as one HTML file anyone can open: no script, nothing fetched' }, 'Export Report'),
    status: el('div', { class: 'status', role: 'status' }),
    scroller: el('div', { class: 'scroller', tabindex: '0', role: 'grid', 'aria-label': 'Results' }),
    spacer: el('div', { class: 'spacer' }),
    window: el('div', { class: 'window' }),
    header: el('div', { class: 'trow thead', hidden: '' }),
    side: el('aside', { class: 'side', hidden: '' }),
    title: el('h1', {}),
  };

  constructor() {
    const { ui } = this;
    ui.wrongLabel.append(ui.wrong, ' wrong only');
    ui.spacer.append(ui.window);
    ui.scroller.append(ui.spacer);
    const filters = el('div', { class: 'toolbar' }, ui.text, ui.label, ui.truth, ui.flagged, ui.errors, ui.wrongLabel, ui.minProbability, ui.maxMargin, ui.minEntropy);
    const actions = el('div', { class: 'toolbar' }, ui.sortKey, ui.direction, ui.grid, ui.table, ui.count, el('span', { class: 'grow' }), ui.exportCsv, ui.exportJson, ui.copy, ui.report);
    const main = el('main', {}, ui.header, ui.scroller);
    document.getElementById('app')!.append(el('header', {}, ui.title, filters, actions, ui.status), el('div', { class: 'body' }, main, ui.side));
    for (const control of [ui.label, ui.truth, ui.flagged, ui.errors, ui.wrong, ui.minProbability, ui.maxMargin, ui.minEntropy])
      control.addEventListener('change', () => this.setFilter(this.readFilter()));
    ui.text.addEventListener('input', () => this.setFilter(this.readFilter()));
    ui.text.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' || event.key === 'Enter' || event.key === 'ArrowDown') {
        event.preventDefault();
        ui.scroller.focus();
      }
    });
    ui.sortKey.addEventListener('change', () => this.setSort({ ...this.sort, key: ui.sortKey.value as Sort['key'] }));
    ui.direction.addEventListener('click', () => this.setSort({ ...this.sort, descending: !this.sort.descending }));
    ui.grid.addEventListener('click', () => this.setMode('grid'));
    ui.table.addEventListener('click', () => this.setMode('table'));
    ui.exportCsv.addEventListener('click', () => void this.exportRows('csv'));
    ui.exportJson.addEventListener('click', () => void this.exportRows('json'));
    ui.copy.addEventListener('click', () => void this.copyPaths());
    ui.report.addEventListener('click', () => void this.exportReport());
    ui.scroller.addEventListener('scroll', () => this.queueDraw());
    ui.scroller.addEventListener('keydown', (event) => {
      if (this.press(event.key, event.shiftKey, event.ctrlKey || event.metaKey)) event.preventDefault();
    });
    window.addEventListener('keydown', (event) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
      if (event.key === '/' && !typing) {
        event.preventDefault();
        ui.text.focus();
      }
    });
    new ResizeObserver(() => this.queueDraw()).observe(ui.scroller);
    this.host.event({ type: 'ready' });
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const view = await this.host.request({ type: 'load' });
      this.view = view;
      this.ui.title.textContent = `${view.title} · ${view.model.name}`;
      this.ui.title.title = view.source;
      this.ui.label.replaceChildren(option('', 'Any class'), ...view.model.labels.map((l) => option(l, `Top: ${l}`)));
      this.ui.truth.replaceChildren(option('', 'Any label'), ...view.model.labels.map((l) => option(l, `True: ${l}`)));
      const labelled = view.entries.some((e) => e.truth !== undefined);
      this.ui.truth.hidden = !labelled;
      this.ui.wrongLabel.hidden = !labelled;
      this.ui.flagged.hidden = !view.entries.some((e) => e.anomaly !== undefined);
      this.galleries = { wrong: confidentlyWrong(view.entries), uncertain: mostUncertain(view.entries) };
      this.drawAudit();
      // Opened again after a reload: as it was sorted, filtered and shown.
      const saved = SavedResultsStateSchema.safeParse(vscode.getState());
      if (saved.success && saved.data.reopen.path === view.reopen.path) {
        this.setMode(saved.data.mode);
        this.setSort(saved.data.sort);
        this.setFilter(saved.data.filter);
      } else this.refresh();
      this.ui.scroller.focus();
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private drawAudit(): void {
    const { view, ui } = this;
    if (!view?.audit) return;
    ui.side.hidden = false;
    if ('none' in view.audit) {
      ui.side.replaceChildren(el('h2', {}, 'No audit'), el('p', { class: 'muted' }, view.audit.none));
      return;
    }
    ui.side.replaceChildren(
      auditPanel(view.model.labels, view.audit, view.entries, this.galleries, {
        onCell: (truth, predicted) => this.showCell(truth, predicted),
        tile: (index) => this.tile(index, 'small'),
      }),
    );
  }

  private showCell(truth: string, predicted: string): void {
    this.setFilter({ truth, label: predicted });
  }

  private readFilter(): Filter {
    const { ui } = this;
    const number = (input: HTMLInputElement): number | undefined => (input.value === '' || !Number.isFinite(Number(input.value)) ? undefined : Math.max(0, Number(input.value)));
    const probability = number(ui.minProbability);
    const margin = number(ui.maxMargin);
    return {
      ...(ui.text.value ? { text: ui.text.value } : {}),
      ...(ui.label.value ? { label: ui.label.value } : {}),
      ...(ui.truth.value ? { truth: ui.truth.value } : {}),
      ...(ui.flagged.value ? { flagged: ui.flagged.value as 'flagged' | 'unflagged' } : {}),
      ...(ui.errors.value ? { errors: ui.errors.value as 'only' | 'none' } : {}),
      ...(ui.wrong.checked ? { wrong: true } : {}),
      ...(probability !== undefined ? { minProbability: Math.min(1, probability) } : {}),
      ...(margin !== undefined ? { maxMargin: Math.min(1, margin) } : {}),
      ...(number(ui.minEntropy) !== undefined ? { minEntropy: number(ui.minEntropy) } : {}),
    };
  }

  /** Shows a filter in the controls (a confusion cell, a test) and applies it. */
  private setFilter(filter: Filter): void {
    const { ui } = this;
    ui.text.value = filter.text ?? '';
    ui.label.value = filter.label ?? '';
    ui.truth.value = filter.truth ?? '';
    ui.flagged.value = filter.flagged ?? '';
    ui.errors.value = filter.errors ?? '';
    ui.wrong.checked = filter.wrong ?? false;
    if (filter.minProbability !== this.filter.minProbability) ui.minProbability.value = filter.minProbability === undefined ? '' : String(filter.minProbability);
    if (filter.maxMargin !== this.filter.maxMargin) ui.maxMargin.value = filter.maxMargin === undefined ? '' : String(filter.maxMargin);
    if (filter.minEntropy !== this.filter.minEntropy) ui.minEntropy.value = filter.minEntropy === undefined ? '' : String(filter.minEntropy);
    this.filter = filter;
    this.refresh();
  }

  private setSort(sort: Sort): void {
    this.sort = sort;
    this.ui.sortKey.value = sort.key;
    this.ui.direction.textContent = sort.descending ? '↓' : '↑';
    this.ui.direction.title = sort.descending ? 'Descending: click for ascending' : 'Ascending: click for descending';
    this.refresh();
  }

  private setMode(mode: 'grid' | 'table'): void {
    this.mode = mode;
    this.ui.grid.setAttribute('aria-pressed', String(mode === 'grid'));
    this.ui.table.setAttribute('aria-pressed', String(mode === 'table'));
    this.ui.header.hidden = mode !== 'table';
    this.ui.scroller.scrollTop = 0;
    this.save();
    this.reveal();
  }

  /** Kept in VS Code's webview state, so a reload opens the view again as it was. */
  private save(): void {
    if (this.view) vscode.setState({ reopen: this.view.reopen, sort: this.sort, filter: this.filter, mode: this.mode } satisfies SavedResultsState);
  }

  /** Filter and sort again; the focus goes to the first row. */
  private refresh(): void {
    if (!this.view) return;
    this.save();
    const focused = this.shown[this.focus];
    this.shown = query(this.view.entries, this.filter, this.sort);
    const kept = focused === undefined ? -1 : this.shown.indexOf(focused);
    this.focus = kept >= 0 ? kept : 0;
    this.anchor = this.focus;
    const total = this.view.entries.length;
    this.ui.count.textContent = `${this.shown.length} of ${total}${this.selected.size > 0 ? ` · ${this.selected.size} selected` : ''}`;
    this.ui.scroller.scrollTop = 0;
    this.reveal();
  }

  private columns(): number {
    return this.mode === 'table' ? 1 : Math.max(1, Math.floor(this.ui.scroller.clientWidth / TILE.width));
  }

  private rowHeight(): number {
    return this.mode === 'table' ? ROW_HEIGHT : TILE.height;
  }

  /** Scrolls the focused entry into view and draws. */
  private reveal(): void {
    const { scroller } = this.ui;
    const row = Math.floor(this.focus / this.columns());
    scroller.scrollTop = scrollToRow(row, this.rowHeight(), scroller.scrollTop, scroller.clientHeight);
    this.draw();
  }

  private queueDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  /** Draws the rows in view (and a few beyond): the DOM holds a window, never the whole list. */
  private draw(): void {
    const { ui } = this;
    const columns = this.columns();
    const win = virtualWindow({ count: this.shown.length, columns, rowHeight: this.rowHeight(), scrollTop: ui.scroller.scrollTop, viewportHeight: ui.scroller.clientHeight, overscan: OVERSCAN });
    ui.spacer.style.height = `${win.height}px`;
    ui.window.style.transform = `translateY(${win.offset}px)`;
    ui.window.className = `window ${this.mode}`;
    if (this.mode === 'grid') ui.window.style.gridTemplateColumns = `repeat(${columns}, ${TILE.width}px)`;
    else ui.window.style.gridTemplateColumns = '';
    this.rendered = this.shown.slice(win.start, win.end);
    ui.window.replaceChildren(...this.rendered.map((index, i) => (this.mode === 'grid' ? this.tile(index, 'large', win.start + i) : this.tableRow(index, win.start + i))));
    if (this.mode === 'table') ui.header.replaceChildren(...this.tableCells(undefined).map((text) => el('span', {}, text)));
    if (this.mode === 'grid') this.want(this.rendered);
    if (this.firstPaintMs === undefined && this.view) {
      this.firstPaintMs = performance.now() - startedAt;
      this.host.event({ type: 'painted', entries: this.view.entries.length, ms: this.firstPaintMs });
    }
  }

  private badges(entry: ResultsEntry): HTMLElement[] {
    return [
      ...(entry.error !== undefined ? [el('span', { class: 'badge error', title: entry.error }, 'error')] : []),
      ...(entry.anomaly?.flagged ? [el('span', { class: 'badge flag', title: `anomaly score ${entry.anomaly.score.toFixed(3)} ≥ ${entry.anomaly.threshold.toFixed(3)}` }, 'OOD')] : []),
      ...(entry.truth !== undefined && entry.top && entry.top.label !== entry.truth ? [el('span', { class: 'badge wrong', title: `labelled ${entry.truth}` }, `≠ ${entry.truth}`)] : []),
    ];
  }

  /** A grid tile (or a gallery's small one): thumbnail, top class and probability; a click opens the scan. */
  private tile(index: number, size: 'large' | 'small', position?: number): HTMLElement {
    const entry = this.view!.entries[index]!;
    const classes = ['tile', size, ...(this.selected.has(index) ? ['selected'] : []), ...(position !== undefined && position === this.focus ? ['focused'] : [])];
    const picture = el('div', { class: 'picture' });
    const thumb = this.thumbnails.get(index);
    if (thumb?.src) picture.append(el('img', { src: thumb.src, alt: '' }));
    else picture.append(el('span', { class: 'muted' }, thumb?.error ? 'no picture' : entry.error !== undefined ? 'failed' : '…'));
    if (thumb?.error) picture.title = thumb.error;
    const caption = entry.top ? el('div', { class: 'caption' }, el('strong', {}, entry.top.label), ` ${pct(entry.top.probability)}`) : el('div', { class: 'caption error-text' }, 'error');
    const tile = el(
      'div',
      { class: classes.join(' '), role: 'gridcell', title: entry.error ?? entry.file, 'data-index': String(index) },
      picture,
      caption,
      el('div', { class: 'name' }, fileName(entry.file), ...this.badges(entry)),
    );
    tile.addEventListener('click', (event) => this.clicked(index, position, event));
    if (size === 'small') this.want([index]);
    return tile;
  }

  private tableCells(entry: ResultsEntry | undefined): string[] {
    const labelled = this.view?.entries.some((e) => e.truth !== undefined) ?? false;
    const guarded = this.view?.entries.some((e) => e.anomaly !== undefined) ?? false;
    if (!entry) return ['file', 'top class', 'p', 'margin', 'entropy', ...(guarded ? ['anomaly'] : []), ...(labelled ? ['label'] : []), 'error'];
    return [
      entry.file + (entry.slice ? ` [${entry.slice.axis} ${entry.slice.index}]` : ''),
      entry.top?.label ?? '',
      pct(entry.top?.probability),
      num(entry.margin),
      num(entry.entropy),
      ...(guarded ? [entry.anomaly ? `${entry.anomaly.score.toFixed(3)}${entry.anomaly.flagged ? ' OOD' : ''}` : ''] : []),
      ...(labelled ? [entry.truth ?? ''] : []),
      entry.error ?? '',
    ];
  }

  private tableRow(index: number, position: number): HTMLElement {
    const entry = this.view!.entries[index]!;
    const classes = ['trow', ...(this.selected.has(index) ? ['selected'] : []), ...(position === this.focus ? ['focused'] : []), ...(entry.error !== undefined ? ['failed'] : [])];
    const row = el('div', { class: classes.join(' '), role: 'row', 'data-index': String(index) }, ...this.tableCells(entry).map((text) => el('span', { title: text }, text)));
    row.addEventListener('click', (event) => this.clicked(index, position, event));
    return row;
  }

  /** Click opens the scan; Ctrl/Cmd-click toggles it in the selection, Shift-click selects the range from the last one. */
  private clicked(index: number, position: number | undefined, event: MouseEvent): void {
    if (position !== undefined) this.focus = position;
    if (event.ctrlKey || event.metaKey) this.toggle(index);
    else if (event.shiftKey && position !== undefined) this.selectRange(this.anchor, position);
    else void this.openEntry(index);
    if (position !== undefined && !event.shiftKey) this.anchor = position;
    this.queueDraw();
  }

  private toggle(index: number): void {
    if (!this.selected.delete(index)) this.selected.add(index);
    this.updateCount();
  }

  private selectRange(from: number, to: number): void {
    for (let p = Math.min(from, to); p <= Math.max(from, to); p++) this.selected.add(this.shown[p]!);
    this.updateCount();
  }

  private updateCount(): void {
    if (this.view) this.ui.count.textContent = `${this.shown.length} of ${this.view.entries.length}${this.selected.size > 0 ? ` · ${this.selected.size} selected` : ''}`;
  }

  /** The keyboard: arrows, Page Up/Down, Home and End move; Shift extends the selection; space toggles; Enter opens; Ctrl+A selects what is shown. */
  private press(key: string, shift = false, control = false): boolean {
    if (key === '/') {
      this.ui.text.focus();
      return true;
    }
    if (control && key.toLowerCase() === 'a') {
      for (const index of this.shown) this.selected.add(index);
      this.updateCount();
      this.draw();
      return true;
    }
    const focused = this.shown[this.focus];
    if (key === 'Enter') {
      if (focused !== undefined) void this.openEntry(focused);
      return true;
    }
    if (key === ' ') {
      if (focused !== undefined) this.toggle(focused);
      this.draw();
      return true;
    }
    const pageRows = Math.max(1, Math.floor(this.ui.scroller.clientHeight / this.rowHeight()));
    const next = moveFocus(key, this.focus, this.shown.length, this.columns(), pageRows);
    if (next === undefined) return false;
    if (shift) this.selectRange(this.anchor, next);
    else this.anchor = next;
    this.focus = next;
    this.reveal();
    return true;
  }

  private async openEntry(index: number): Promise<void> {
    try {
      const { file } = await this.host.request({ type: 'open', index });
      this.say(`opened ${fileName(file)}`);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  /** The selection, or every row shown when nothing is selected. */
  private chosen(): number[] {
    return this.selected.size > 0 ? this.shown.filter((i) => this.selected.has(i)) : [...this.shown];
  }

  private async exportRows(format: 'csv' | 'json'): Promise<void> {
    try {
      const written = await this.host.request({ type: 'export', format, indices: this.chosen() });
      this.say(`${rows(written.rows)} written to ${written.path}`);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private async exportReport(): Promise<void> {
    try {
      this.say('writing the report…');
      const written = await this.host.request({ type: 'report' });
      this.say(`report of ${rows(written.rows)} written to ${written.path} (${(written.bytes / 1e6).toFixed(1)} MB)`);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  private async copyPaths(): Promise<void> {
    try {
      const { count } = await this.host.request({ type: 'copyPaths', indices: this.chosen() });
      this.say(`${count === 1 ? '1 path' : `${count} paths`} copied`);
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
    }
  }

  /** Queues thumbnails of entries now in view; earlier wishes no longer in view are dropped. */
  private want(indices: readonly number[]): void {
    for (const index of indices) {
      if (this.thumbnails.has(index) || this.wanted.includes(index) || this.view!.entries[index]!.error !== undefined) continue;
      this.wanted.push(index);
    }
    this.pump();
  }

  private pump(): void {
    const visible = new Set([...this.rendered, ...this.galleries.wrong, ...this.galleries.uncertain]);
    while (this.inFlight < THUMBNAILS_IN_FLIGHT && this.wanted.length > 0) {
      const index = this.wanted.shift()!;
      if (!visible.has(index) || this.thumbnails.has(index)) continue;
      this.inFlight++;
      void this.host
        .request({ type: 'thumbnail', index })
        .then(
          (answer) => this.thumbnails.set(index, answer),
          (error: unknown) => this.thumbnails.set(index, { error: error instanceof Error ? error.message : String(error) }),
        )
        .finally(() => {
          this.inFlight--;
          this.placeThumbnail(index);
          this.pump();
        });
    }
  }

  /** Puts a thumbnail that arrived into the tiles showing it, without redrawing the window. */
  private placeThumbnail(index: number): void {
    const thumb = this.thumbnails.get(index);
    for (const tile of document.querySelectorAll<HTMLElement>(`.tile[data-index="${index}"] .picture`)) {
      if (thumb?.src) tile.replaceChildren(el('img', { src: thumb.src, alt: '' }));
      else tile.replaceChildren(el('span', { class: 'muted' }, 'no picture'));
      if (thumb?.error) tile.title = thumb.error;
    }
  }

  private say(text: string): void {
    this.ui.status.className = 'status';
    this.ui.status.textContent = text;
  }

  private fail(reason: string): void {
    this.errorText = reason;
    this.ui.status.className = 'status error';
    this.ui.status.textContent = reason;
  }

  private state(): ResultsState {
    const loadedImages = [...document.querySelectorAll<HTMLImageElement>('.window .tile img')].filter((img) => img.complete && img.naturalWidth > 0).length;
    const audit = this.view?.audit && !('none' in this.view.audit) ? { accuracy: this.view.audit.accuracy, ece: this.view.audit.calibration.ece, ...this.galleries } : undefined;
    return {
      loaded: this.view !== undefined,
      entries: this.view?.entries.length ?? 0,
      mode: this.mode,
      sort: this.sort,
      filter: this.filter,
      shown: this.shown,
      rendered: this.rendered,
      thumbnails: loadedImages,
      ...(this.shown[this.focus] !== undefined ? { focused: this.shown[this.focus] } : {}),
      selected: [...this.selected],
      ...(audit ? { audit } : {}),
      domNodes: document.getElementsByTagName('*').length,
      ...heap(),
      ...(this.firstPaintMs !== undefined ? { firstPaintMs: this.firstPaintMs } : {}),
      status: this.ui.status.textContent ?? '',
      ...(this.errorText !== undefined ? { error: this.errorText } : {}),
    };
  }

  private async answer(request: WebviewRequest): Promise<ResultsState> {
    switch (request.type) {
      case 'state':
        break;
      case 'sort':
        this.setSort(request.sort);
        break;
      case 'filter':
        this.setFilter(request.filter);
        break;
      case 'mode':
        this.setMode(request.mode);
        break;
      case 'key':
        this.ui.scroller.focus();
        this.press(request.key, request.shift);
        break;
      case 'cell':
        this.showCell(request.truth, request.predicted);
        break;
      case 'reveal':
        this.focus = Math.min(request.position, Math.max(0, this.shown.length - 1));
        this.reveal();
        break;
      case 'action':
        if (request.action === 'copyPaths') await this.copyPaths();
        else if (request.action === 'exportReport') await this.exportReport();
        else await this.exportRows(request.action === 'exportCsv' ? 'csv' : 'json');
        break;
    }
    // Let the browser lay out (and the scroll position settle) before the state is read.
    await new Promise((resolve) => requestAnimationFrame(resolve));
    return this.state();
  }
}

new ResultsPage();

import './controls.css';
import './viewer.css';
import {
  type ExplainChoice,
  type ExplainResult,
  AXES,
  ANOMALY_OVERLAY,
  EXPLAIN_METHODS,
  OVERLAY_COLORMAPS,
  type Axis,
  type ClassifyResult,
  type ExportResult,
  type OverlayMethod,
  type ScanInfo,
  type SliceHeat,
  type ViewerState,
  type WebviewRequest,
} from '../protocol/viewerMessages';
import { AnomalyLegend } from './anomalyLegend';
import { drawProbabilities, drawProfile } from './charts';
import { loadPlotly } from './loadPlotly';
import { showGuard } from './guardNotice';
import { heatCanvas } from './heatOverlay';
import { HostChannel } from './hostChannel';
import { clampSlice } from './pixels';
import { DEFAULT_STATE, loadState, saveState, type SavedState } from './savedState';
import { ScorecardPanel } from './scorecardPanel';
import { SliceCanvas } from './sliceCanvas';
import { el, option } from './dom';
import type { CamSmoothing } from '../core/vocabulary/camMethods';
import { openingPhases, phase } from './openingPhases';

const startedAt = performance.now();
phase('script');
const INFERENCE_DELAY_MS = 150;

/**
 * The viewer page: asks the host for the scan's description, then for one
 * slice at a time; probabilities and the overlay follow each slice.
 */
class Viewer {
  private readonly host = new HostChannel(
    (request) => this.answer(request),
    (event) => {
      if (event.type === 'modelChanged') void this.modelChanged();
    },
    (reason) => this.error(reason),
  );
  private readonly state: SavedState = loadState();
  private info: ScanInfo | undefined;
  private probabilities: ClassifyResult | undefined;
  private warning: string | undefined;
  private firstPaintMs: number | undefined;
  private lastSliceMs: number | undefined;
  /** When the slice on screen was drawn, and how long its explanation overlay took to follow it. */
  private slicePaintedAt = 0;
  private lastOverlayMs: number | undefined;
  /** The slice generation whose explanation came with the slice itself (a 3D model's): not asked for again. */
  private overlayCarried: number | undefined;
  private paints = 0;
  private pending = 0;
  private errorText: string | undefined;
  /** The overlay's heat on screen ([0,1], NaN unseen), as the host sent it: coloured here, so a colormap change needs no request. */
  private overlayHeat: SliceHeat | undefined;
  /** The explanation on screen's own map size, as the host computed it. */
  private mapSize: ExplainResult['mapSize'] | undefined;
  private overlayImage: HTMLCanvasElement | undefined;
  private inferTimer: ReturnType<typeof setTimeout> | undefined;
  private profileSlices = 0;
  /** Bumped on every slice change, so late answers for an old slice are dropped. */
  private generation = 0;

  private readonly ui = {
    axis: el('select', { 'aria-label': 'Axis', title: 'Slice axis (A)' }),
    slider: el('input', { type: 'range', min: '0', 'aria-label': 'Slice' }),
    sliceLabel: el('span', { class: 'muted' }),
    windowLabel: el('span', { class: 'muted' }),
    windows: el('select', { 'aria-label': 'Window preset' }),
    fit: el('button', { title: 'Fit to view (0)' }, 'Fit'),
    overlayShown: el('input', { type: 'checkbox', id: 'overlay-shown' }),
    method: el('select', { 'aria-label': 'Overlay method' }),
    target: el('select', { 'aria-label': 'Class to explain' }),
    smooth: el('select', { 'aria-label': 'Smoothing', title: "pytorch-grad-cam's eigen_smooth and aug_smooth" }),
    opacity: el('input', { type: 'range', min: '0', max: '1', step: '0.05', 'aria-label': 'Overlay opacity' }),
    colormap: el('select', { 'aria-label': 'Colormap' }),
    legend: new AnomalyLegend(),
    guard: el('div', { class: 'guard muted', role: 'status', hidden: '' }),
    chart: el('div', { class: 'chart', role: 'img', 'aria-label': 'Class probabilities' }),
    profileButton: el('button', {}, 'Slice profile'),
    profile: el('div', { class: 'chart' }),
    metadata: el('dl', { class: 'metadata' }),
    export: el('button', {}, 'Export Report'),
    status: el('div', { class: 'status', role: 'status' }),
    cursor: el('div', { class: 'cursor muted' }),
    labels: { left: el('span', { class: 'orient left' }), right: el('span', { class: 'orient right' }), top: el('span', { class: 'orient top' }), bottom: el('span', { class: 'orient bottom' }) },
  };
  private readonly scorecard = new ScorecardPanel();
  private readonly stage = el('div', { class: 'stage' });
  private readonly canvas = new SliceCanvas(this.stage, {
    onWindow: (window) => {
      this.state.window = window;
      this.state.windowChoice = 'custom';
      this.ui.windows.value = 'custom';
      this.save();
      this.describe();
    },
    onView: (zoom, pan) => {
      this.state.zoom = zoom;
      this.state.pan = pan;
      this.save();
    },
    onCursor: (cursor) => this.showCursor(cursor),
  });

  constructor() {
    this.layout();
    this.host.event({ type: 'ready' });
    void this.start();
  }

  private layout(): void {
    const { ui } = this;
    this.stage.append(ui.labels.left, ui.labels.right, ui.labels.top, ui.labels.bottom, ui.cursor);
    const overlayLabel = el('label', { for: 'overlay-shown' }, 'Overlay');
    const panel = el(
      'aside',
      { class: 'panel' },
      el(
        'section',
        {},
        el('h2', {}, 'View'),
        el('div', { class: 'row' }, ui.axis, ui.windows, ui.fit),
        el('div', { class: 'row volume-only' }, ui.slider, ui.sliceLabel),
        el('div', { class: 'row' }, ui.windowLabel),
      ),
      el('section', {}, el('h2', {}, 'Probabilities'), ui.guard, ui.chart),
      el(
        'section',
        {},
        el('h2', {}, 'Overlay'),
        el('div', { class: 'row' }, ui.overlayShown, overlayLabel, ui.method, ui.target),
        el('div', { class: 'row' }, ui.smooth),
        el('div', { class: 'row' }, ui.colormap, ui.opacity),
        ui.legend.element,
      ),
      this.scorecard.element,
      el('section', { class: 'volume-only slice-model-only' }, el('h2', {}, 'Per slice'), ui.profileButton, ui.profile),
      el('section', {}, el('details', {}, el('summary', {}, 'Metadata (identifying tags redacted)'), ui.metadata)),
      el('section', {}, ui.export, ui.status),
    );
    document.getElementById('app')!.append(this.stage, panel);
    for (const axis of AXES) ui.axis.append(option(axis, axis));
    for (const name of OVERLAY_COLORMAPS) ui.colormap.append(option(name, name));
    ui.smooth.append(option('', 'no smoothing'), option('eigen', 'eigen_smooth'), option('aug', 'aug_smooth'), option('both', 'eigen + aug smooth'));
    ui.axis.addEventListener('change', () => void this.goto(ui.axis.value as Axis, -1));
    ui.slider.addEventListener('input', () => void this.goto(this.state.axis, Number(ui.slider.value)));
    ui.windows.addEventListener('change', () => this.pickWindow(ui.windows.value));
    ui.fit.addEventListener('click', () => {
      this.canvas.resetView();
      this.state.zoom = undefined;
      this.state.pan = [0, 0];
      this.save();
    });
    ui.overlayShown.addEventListener('change', () => void this.setOverlayShown(ui.overlayShown.checked));
    ui.method.addEventListener('change', () => this.changeOverlay({ method: ui.method.value as OverlayMethod }));
    ui.target.addEventListener('change', () => this.changeOverlay({ classIndex: ui.target.value === '' ? undefined : Number(ui.target.value) }));
    ui.smooth.addEventListener('change', () => this.changeOverlay({ smooth: ui.smooth.value === '' ? undefined : (ui.smooth.value as CamSmoothing) }));
    ui.colormap.addEventListener('change', () => this.changeOverlay({ colormap: ui.colormap.value as SavedState['overlay']['colormap'] }));
    ui.opacity.addEventListener('input', () => {
      this.state.overlay.opacity = Number(ui.opacity.value);
      this.canvas.setOverlay(this.overlayImage, this.state.overlay.opacity);
      this.save();
    });
    ui.profileButton.addEventListener('click', () => void this.profile());
    this.scorecard.button.addEventListener('click', () => void this.score());
    ui.export.addEventListener('click', () => void this.exportReport());
    window.addEventListener('keydown', (event) => this.key(event));
  }

  private async start(): Promise<void> {
    try {
      this.info = await this.host.request({ type: 'info' });
      phase('info');
    } catch (error) {
      return this.error(error);
    }
    const { info, ui, state } = this;
    document.body.classList.toggle('volume', info.axes.axial.depth > 1);
    info.windows.forEach((w, i) => ui.windows.append(option(String(i), w.name ?? (i === 0 ? `File window (${fmt(w.center)}/${fmt(w.width)})` : `${fmt(w.center)}/${fmt(w.width)}`))));
    ui.windows.append(option('auto', 'Slice range (auto)'), option('custom', 'Custom (drag on the image)'));
    for (const [key, value] of Object.entries(info.metadata)) ui.metadata.append(el('dt', {}, key), el('dd', {}, String(value)));
    ui.overlayShown.checked = state.overlayShown;
    ui.colormap.value = state.overlay.colormap;
    ui.smooth.value = state.overlay.smooth ?? '';
    ui.opacity.value = String(state.overlay.opacity);
    state.windowChoice ??= info.preferSliceRange ? 'auto' : '0';
    this.canvas.window = state.window ?? info.windows[0]!;
    ui.windows.value = state.windowChoice;
    if (state.zoom !== undefined) this.canvas.zoom = state.zoom;
    this.canvas.pan = state.pan;
    await this.goto(state.axis, state.slice);
    // Only now the model (the host may have to load onnxruntime) and plotly (1.2 MB to parse): neither is needed to paint.
    // A plotly that fails to load is reported when a chart is drawn.
    void loadPlotly().catch(() => undefined);
    // A slice that could not be drawn keeps its error line, as when the model came first.
    if (!(await this.loadModel()) || this.paints === 0) return;
    if (this.info?.modelError) this.error(this.info.modelError);
    else if (this.info?.model?.notice) this.status(this.info.model.notice);
    this.scheduleInference();
  }

  /** The model's part of the description, merged into `info`; false if it could not be asked for. A failure to load the model is `modelError`, not a rejection. */
  private async loadModel(): Promise<boolean> {
    this.pending++;
    try {
      const { model, modelError } = await this.host.request({ type: 'model' });
      phase('model');
      this.info = { ...this.info!, model, modelError };
    } catch (error) {
      this.error(error);
      return false;
    } finally {
      this.pending--;
    }
    // A 3D model classifies the volume whole: no per-slice profile to offer.
    document.body.classList.toggle('volume-model', this.info.model?.volume === true);
    this.showChoices();
    return true;
  }

  /**
   * The overlay's choices follow the model: the anomaly map only when it has
   * a detector (absent otherwise, not greyed out), and its class list.
   */
  private showChoices(): void {
    const { method, target } = this.ui;
    const explanations = el('optgroup', { label: 'Explanation' }, ...EXPLAIN_METHODS.map((m) => option(m, m)));
    const guard = this.info?.model?.detector ? [el('optgroup', { label: 'Out-of-distribution guard' }, option(ANOMALY_OVERLAY, 'anomaly map'))] : [];
    method.replaceChildren(explanations, ...guard);
    if (!this.offered().includes(this.state.overlay.method)) this.state.overlay = { ...this.state.overlay, method: DEFAULT_STATE.overlay.method };
    method.value = this.state.overlay.method;
    target.replaceChildren(option('', 'top class'), ...(this.info?.model?.labels ?? []).map((label, i) => option(String(i), label)));
    const chosen = this.state.overlay.classIndex;
    if (chosen !== undefined && chosen >= target.options.length - 1) this.state.overlay = { ...this.state.overlay, classIndex: undefined };
    target.value = this.state.overlay.classIndex === undefined ? '' : String(this.state.overlay.classIndex);
    // The anomaly map belongs to no class.
    target.hidden = this.state.overlay.method === ANOMALY_OVERLAY;
    this.ui.smooth.hidden = target.hidden;
    this.scorecard.enable(this.state.overlay.method !== ANOMALY_OVERLAY && !this.info?.model?.volume);
  }

  /** The methods the list offers right now. */
  private offered(): OverlayMethod[] {
    return [...this.ui.method.querySelectorAll('option')].map((o) => o.value as OverlayMethod);
  }

  /** Another model was chosen: its labels, then fresh probabilities and overlay. */
  private async modelChanged(): Promise<void> {
    if (!(await this.loadModel()) || !this.info) return;
    if (this.info.modelError) return this.error(this.info.modelError);
    this.status(this.modelStatus());
    this.scheduleInference();
  }

  /** Shows slice `index` of `axis` (-1: the middle one); resolves once it is drawn. */
  private async goto(axis: Axis, index: number): Promise<void> {
    const info = this.info;
    if (!info) return;
    const axisInfo = info.axes[axis];
    const slice = index < 0 ? Math.floor(axisInfo.depth / 2) : clampSlice(index, 0, axisInfo.depth);
    const generation = ++this.generation;
    const requested = performance.now();
    this.scorecard.clear();
    const { ui } = this;
    this.state.axis = axis;
    this.state.slice = slice;
    ui.axis.value = axis;
    ui.slider.max = String(axisInfo.depth - 1);
    ui.slider.value = String(slice);
    ui.sliceLabel.textContent = `${slice + 1} / ${axisInfo.depth}`;
    for (const side of ['left', 'right', 'top', 'bottom'] as const) ui.labels[side].textContent = axisInfo.labels[side];
    this.save();
    // A 3D model's explanation is cut from its volume map as quickly as the slice: asked for with it.
    const asked = this.info?.model?.volume && this.state.overlayShown ? explainChoice(this.state.overlay) : undefined;
    let explanation: ExplainResult | undefined;
    try {
      const data = await this.host.request({ type: 'slice', axis, index: slice, ...(asked ? { overlay: asked } : {}) });
      phase('slice');
      if (generation !== this.generation) return;
      this.canvas.setSlice(data, axisInfo.pixelSpacing);
      if (this.state.windowChoice === 'auto' && !this.state.window) this.pickWindow('auto');
      this.overlayHeat = this.overlayImage = undefined;
      this.ui.legend.hide();
      explanation = data.explanation;
    } catch (error) {
      return this.error(error);
    }
    const now = performance.now();
    this.lastSliceMs = now - requested;
    this.slicePaintedAt = now;
    this.firstPaintMs ??= now - startedAt;
    this.paints++;
    phase('painted');
    this.host.event({ type: 'painted', axis, slice, ms: this.paints === 1 ? this.firstPaintMs : this.lastSliceMs });
    // Drawn only if the choice it was cut for is still the one shown.
    const current = explanation && asked && this.state.overlayShown && sameTarget(this.state.overlay, asked);
    if (current) this.showExplanation(explanation!);
    this.overlayCarried = current ? generation : undefined;
    this.describe();
    this.scheduleInference();
  }

  /**
   * Inference waits until the slice has stayed put for a moment: while
   * scrolling, the host's thread stays free to cut slices. A 3D model's
   * probabilities and map are the volume's, made once: each slice's are only
   * cut from them, so they follow the slice at once.
   */
  private scheduleInference(): void {
    if (this.inferTimer !== undefined) {
      clearTimeout(this.inferTimer);
      this.pending--;
    }
    this.pending++;
    this.inferTimer = setTimeout(
      () => {
        this.inferTimer = undefined;
        this.pending--;
        void this.infer();
      },
      this.info?.model?.volume ? 0 : INFERENCE_DELAY_MS,
    );
  }

  /** Probabilities and overlay for the slice on screen: a 3D model's are both cut from its whole-volume results, so they are asked for together. */
  private async infer(): Promise<void> {
    if (!this.info?.model) return;
    if (this.info.model.volume) {
      await Promise.all([this.classify(), this.overlayCarried === this.generation ? undefined : this.loadOverlay()]);
      return;
    }
    await this.classify();
    await this.loadOverlay();
  }

  private async classify(): Promise<void> {
    const generation = this.generation;
    const { axis, slice } = this.state;
    this.pending++;
    try {
      const result = await this.host.request({ type: 'classify', axis, index: slice });
      if (generation !== this.generation) return;
      const drawn = this.probabilities;
      this.probabilities = result;
      this.warning = showGuard(this.ui.guard, result);
      // A 3D model's probabilities are the volume's, the same on every slice: the chart drawn stays, and the page stays free for the overlay.
      if (!sameChart(drawn, result)) {
        const top = result.probabilities.indexOf(Math.max(...result.probabilities));
        await drawProbabilities(this.ui.chart, result.labels, result.probabilities, top);
      }
      phase('chart');
      // An earlier failure no longer describes what is on screen.
      if (this.errorText !== undefined) this.status(this.modelStatus());
    } catch (error) {
      this.warning = showGuard(this.ui.guard, undefined);
      this.error(error);
    } finally {
      this.pending--;
    }
  }

  /**
   * The explanation or anomaly map of the slice on screen: the host sends its
   * heat, the page colours it with the colormap chosen when it arrives. An
   * answer that arrives after the slice, the method or the class changed is dropped.
   */
  private async loadOverlay(): Promise<void> {
    if (!this.info?.model || !this.state.overlayShown) return;
    const generation = this.generation;
    const { axis, slice } = this.state;
    const { method, classIndex, smooth } = this.state.overlay;
    const current = (): boolean => generation === this.generation && this.state.overlayShown && sameTarget(this.state.overlay, { method, classIndex, smooth });
    this.pending++;
    this.status(`computing ${method === ANOMALY_OVERLAY ? 'anomaly map' : method}…`);
    try {
      if (method === ANOMALY_OVERLAY) {
        const result = await this.host.request({ type: 'anomalyMap', axis, index: slice });
        if (!current()) return;
        this.setOverlayHeat(result.heat);
        this.ui.legend.show(result, this.state.overlay.colormap);
        const { volume } = result;
        this.status(
          volume
            ? `anomaly map of the volume (${volume.count} ${volume.axis} slices, each ${result.mapSize.join('×')} from the detector)`
            : `anomaly map (${result.mapSize.join('×')} from the detector)`,
        );
      } else {
        const result = await this.host.request({ type: 'explain', axis, index: slice, ...explainChoice({ method, classIndex, smooth })! });
        if (!current()) return;
        this.showExplanation(result);
      }
    } catch (error) {
      // Cancelled from the host's progress notification: said plainly, not as a failure.
      if (error instanceof Error && error.message === 'cancelled' && current()) this.status(`${method} cancelled`);
      else this.error(error);
    } finally {
      this.pending--;
    }
  }

  /** An explanation over the slice on screen, and how long after the slice it came. */
  private showExplanation(result: ExplainResult): void {
    this.setOverlayHeat(result.heat);
    this.lastOverlayMs = performance.now() - this.slicePaintedAt;
    this.mapSize = result.mapSize;
    this.ui.legend.hide();
    const { smooth } = this.state.overlay;
    this.status(`${result.method}${smooth ? ` (${smooth} smoothing)` : ''} for ${result.label} (map ${result.mapSize.join('×')})`);
  }

  private async setOverlayShown(shown: boolean): Promise<void> {
    this.state.overlayShown = shown;
    this.ui.overlayShown.checked = shown;
    this.save();
    if (shown) await this.loadOverlay();
    else {
      this.setOverlayHeat(undefined);
      this.ui.legend.hide();
    }
  }

  /** Colours `heat` with the current colormap and lays it over the slice at the current opacity. */
  private setOverlayHeat(heat: SliceHeat | undefined): void {
    this.overlayHeat = heat;
    this.overlayImage = heat && heatCanvas(heat, this.state.overlay.colormap);
    this.canvas.setOverlay(this.overlayImage, this.state.overlay.opacity);
  }

  /** Picks a smoothing from its list, as choosing it there does. */
  private chooseSmoothing(smooth: CamSmoothing | undefined): void {
    this.state.overlay = { ...this.state.overlay, smooth };
    this.ui.smooth.value = smooth ?? '';
    this.scorecard.clear();
    this.save();
  }

  /** Picks `method` from the list, as choosing it there does (the host's tests drive it this way). */
  private chooseMethod(method: OverlayMethod): void {
    if (!this.offered().includes(method)) throw new Error(`the overlay list does not offer ${method} for this model`);
    this.state.overlay = { ...this.state.overlay, method };
    this.ui.method.value = method;
    this.ui.target.hidden = method === ANOMALY_OVERLAY;
    this.ui.smooth.hidden = this.ui.target.hidden;
    this.scorecard.enable(method !== ANOMALY_OVERLAY && !this.info?.model?.volume);
    this.scorecard.clear();
    this.save();
  }

  /**
   * Another method or class is computed by the host; another colormap only
   * recolours, in the page, the heat on screen (or the one on its way).
   */
  private changeOverlay(change: Partial<SavedState['overlay']>): void {
    this.state.overlay = { ...this.state.overlay, ...change };
    this.ui.target.hidden = this.state.overlay.method === ANOMALY_OVERLAY;
    this.ui.smooth.hidden = this.ui.target.hidden;
    this.scorecard.enable(this.state.overlay.method !== ANOMALY_OVERLAY && !this.info?.model?.volume);
    this.save();
    if (Object.keys(change).every((key) => key === 'colormap')) {
      if (this.overlayHeat) this.setOverlayHeat(this.overlayHeat);
      if (this.ui.legend.shown) this.ui.legend.recolour(this.state.overlay.colormap);
      return;
    }
    this.scorecard.clear();
    void this.loadOverlay();
  }

  private pickWindow(choice: string): void {
    const range = choice === 'auto' ? this.canvas.sliceRange() : undefined;
    const window = range ? { center: (range.min + range.max) / 2, width: Math.max(range.max - range.min, 1e-6) } : this.info?.windows[Number(choice)];
    if (!window || choice === 'custom') return;
    this.state.window = window;
    this.state.windowChoice = choice;
    this.canvas.setWindow(window);
    this.save();
    this.describe();
  }

  /**
   * The scorecard of the slice's explanation for the method and class chosen
   * (the host scores the explanation the overlay shows, computing it if it is
   * not kept); an answer for another slice, method or class is dropped.
   */
  private async score(): Promise<void> {
    const asked = explainChoice(this.state.overlay);
    if (!asked) return this.error('the scorecard scores an explanation; choose an explanation method');
    if (!this.info?.model) return;
    const generation = this.generation;
    const { axis, slice } = this.state;
    const current = (): boolean => generation === this.generation && sameTarget(this.state.overlay, asked);
    this.pending++;
    this.status(`scoring ${asked.method}…`);
    try {
      const result = await this.host.request({ type: 'score', axis, index: slice, ...asked });
      if (!current()) return;
      this.scorecard.show(result.table, `${result.method} for ${result.label}`);
      this.status(`scorecard of ${result.method} for ${result.label}`);
    } catch (error) {
      if (error instanceof Error && error.message === 'cancelled' && current()) this.status('scorecard cancelled');
      else this.error(error);
    } finally {
      this.pending--;
    }
  }

  private async profile(): Promise<void> {
    const axis = this.state.axis;
    this.pending++;
    this.status('classifying every slice…');
    try {
      const result = await this.host.request({ type: 'profile', axis });
      this.profileSlices = result.probabilities.length;
      await drawProfile(this.ui.profile, result.labels, result.probabilities, this.state.slice, (slice) => void this.goto(result.axis, slice));
      this.status(`profile of ${result.probabilities.length} ${axis} slices; click to jump`);
    } catch (error) {
      this.error(error);
    } finally {
      this.pending--;
    }
  }

  private async exportReport(): Promise<ExportResult | undefined> {
    const { axis, slice, overlay } = this.state;
    this.status('writing report…');
    try {
      const written = await this.host.request({ type: 'export', axis, index: slice, overlay, window: this.canvas.window });
      this.status(`report: ${written.png}`);
      return written;
    } catch (error) {
      this.error(error);
      return undefined;
    }
  }

  private key(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (target.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox') return;
    if (target.tagName === 'SELECT') return;
    const { axis, slice } = this.state;
    const steps: Record<string, number> = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1, PageUp: -10, PageDown: 10 };
    const step = steps[event.key];
    if (step !== undefined && this.info) void this.goto(axis, clampSlice(slice, step, this.info.axes[axis].depth));
    else if (event.key === '+' || event.key === '=') this.canvas.zoomBy(1.25);
    else if (event.key === '-') this.canvas.zoomBy(0.8);
    else if (event.key === '0') this.ui.fit.click();
    else if (event.key === 'a' && this.info && this.info.axes.axial.depth > 1) void this.goto(AXES[(AXES.indexOf(axis) + 1) % 3]!, -1);
    else if (event.key === 'o') void this.setOverlayShown(!this.state.overlayShown);
    else return;
    event.preventDefault();
  }

  private showCursor(cursor: { x: number; y: number; values: number[] } | undefined): void {
    const unit = this.info?.unit ? ` ${this.info.unit}` : '';
    this.ui.cursor.textContent = cursor ? `(${cursor.x}, ${cursor.y})  ${cursor.values.map(fmt).join(', ')}${unit}` : '';
  }

  private describe(): void {
    const w = this.canvas.window;
    this.ui.windowLabel.textContent = `W ${fmt(w.width)} L ${fmt(w.center)}`;
  }

  /** The status line when nothing else is going on: the model in use, or why it is the bundled one. */
  private modelStatus(): string {
    return this.info?.model?.notice ?? `model: ${this.info?.model?.name ?? 'none'}`;
  }

  /** A status line replaces whatever was shown before it, an error included. */
  private status(text: string): void {
    this.errorText = undefined;
    this.ui.status.textContent = text;
    this.ui.status.classList.remove('error');
  }

  private error(error: unknown): void {
    this.errorText = error instanceof Error ? error.message : String(error);
    this.ui.status.textContent = this.errorText;
    this.ui.status.classList.add('error');
  }

  private save(): void {
    saveState(this.state);
  }

  private async answer(request: WebviewRequest): Promise<ViewerState | ExportResult> {
    if (request.type === 'export') {
      const written = await this.exportReport();
      if (!written) throw new Error(this.errorText ?? 'export failed');
      return written;
    }
    if (request.type === 'goto') await this.goto(request.axis, request.index);
    else if (request.type === 'overlay') {
      if (request.method) this.chooseMethod(request.method);
      if (request.smooth) this.chooseSmoothing(request.smooth === 'none' ? undefined : request.smooth);
      await this.setOverlayShown(request.shown);
    } else if (request.type === 'profile') await this.profile();
    else if (request.type === 'score') await this.score();
    return this.snapshot();
  }

  private snapshot(): ViewerState {
    const { state } = this;
    return {
      axis: state.axis,
      slice: Math.max(0, state.slice),
      depth: this.info?.axes[state.axis].depth ?? 1,
      window: { ...this.canvas.window },
      zoom: this.canvas.currentZoom(),
      probabilities: this.probabilities?.probabilities ?? [],
      ...(this.warning ? { warning: this.warning } : {}),
      overlay: {
        shown: this.canvas.hasOverlay,
        method: state.overlay.method,
        ...(state.overlay.classIndex === undefined ? {} : { classIndex: state.overlay.classIndex }),
        ...(state.overlay.smooth === undefined ? {} : { smooth: state.overlay.smooth }),
        ...(this.mapSize && this.canvas.hasOverlay && state.overlay.method !== ANOMALY_OVERLAY ? { mapSize: this.mapSize } : {}),
        methods: this.offered(),
        ...(this.canvas.hasOverlay && this.overlayHeat && heatPeak(this.overlayHeat) ? { peak: heatPeak(this.overlayHeat) } : {}),
        ...(this.ui.legend.shown ? { anomaly: this.ui.legend.shown } : {}),
      },
      ...(this.errorText ? { error: this.errorText } : {}),
      scriptStartMs: startedAt,
      ...(this.firstPaintMs === undefined ? {} : { firstPaintMs: this.firstPaintMs }),
      ...(this.lastSliceMs === undefined ? {} : { lastSliceMs: this.lastSliceMs }),
      ...(this.lastOverlayMs === undefined ? {} : { lastOverlayMs: this.lastOverlayMs }),
      paints: this.paints,
      profileSlices: this.profileSlices,
      ...(this.scorecard.shown ? { scorecard: this.scorecard.shown } : {}),
      pending: this.pending,
      opening: openingPhases(),
    };
  }
}

/** The heat's highest pixel; undefined when the model saw none of the slice (NaN everywhere). */
function heatPeak(heat: SliceHeat): { x: number; y: number; value: number } | undefined {
  let best = -1;
  let highest = -Infinity;
  for (let i = 0; i < heat.values.length; i++) {
    const v = heat.values[i]!;
    if (v > highest) [best, highest] = [i, v];
  }
  return best < 0 ? undefined : { x: best % heat.width, y: Math.floor(best / heat.width), value: highest };
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

new Viewer();

/** Whether two results draw the same probability chart. */
function sameChart(a: ClassifyResult | undefined, b: ClassifyResult): boolean {
  return a !== undefined && a.labels.length === b.labels.length && a.labels.every((label, i) => label === b.labels[i] && a.probabilities[i] === b.probabilities[i]);
}

/** What an overlay shows: its method (an explanation or the anomaly map), class and smoothing. */
type OverlayTarget = Pick<ExplainChoice, 'classIndex' | 'smooth'> & { method: OverlayMethod };

/** The explanation an overlay setting asks for; none for the anomaly map. */
function explainChoice({ method, classIndex, smooth }: OverlayTarget): ExplainChoice | undefined {
  return method === ANOMALY_OVERLAY ? undefined : { method, ...(classIndex === undefined ? {} : { classIndex }), ...(smooth === undefined ? {} : { smooth }) };
}

/** Whether the overlay shown is still the one an answer was asked for. */
function sameTarget(shown: OverlayTarget, asked: OverlayTarget): boolean {
  return shown.method === asked.method && shown.classIndex === asked.classIndex && shown.smooth === asked.smooth;
}

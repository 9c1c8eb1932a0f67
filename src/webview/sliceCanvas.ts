import type { SliceData } from '../protocol/viewerMessages';
import { dragWindow, windowToRgba, type Window } from './pixels';

export interface CanvasCallbacks {
  /** Window changed by dragging. */
  onWindow(window: Window): void;
  onView(zoom: number, pan: [number, number]): void;
  /** Value under the cursor, or undefined when it leaves the image. */
  onCursor(cursor: { x: number; y: number; values: number[] } | undefined): void;
}

/**
 * Draws one slice at native resolution (nearest neighbour) with zoom and pan,
 * the explanation overlay blended on top. Left drag: window/level; shift-drag
 * or middle drag: pan; wheel: zoom.
 */
export class SliceCanvas {
  readonly element: HTMLCanvasElement;
  private readonly base = document.createElement('canvas');
  private slice: { width: number; height: number; channels: 1 | 3; values: Float32Array } | undefined;
  private overlay: HTMLCanvasElement | undefined;
  private opacity = 0.4;
  private aspect = 1;
  window: Window = { center: 0, width: 1 };
  /** Screen pixels per image pixel; undefined: fit to the view. */
  zoom: number | undefined;
  pan: [number, number] = [0, 0];

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: CanvasCallbacks,
  ) {
    this.element = document.createElement('canvas');
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'img');
    container.append(this.element);
    new ResizeObserver(() => this.draw()).observe(container);
    this.listen();
  }

  /** Decodes and draws a slice; returns once it is on screen. */
  setSlice(data: SliceData, pixelSpacing: readonly [number, number]): void {
    this.slice = { width: data.width, height: data.height, channels: data.channels, values: data.values };
    this.aspect = pixelSpacing[1] / pixelSpacing[0];
    this.overlay = undefined;
    this.render();
  }

  setWindow(window: Window): void {
    this.window = window;
    this.render();
  }

  /** The overlay, coloured at the slice's size (heatCanvas), blended at `opacity`; undefined takes it away. */
  setOverlay(image: HTMLCanvasElement | undefined, opacity: number): void {
    this.overlay = image;
    this.opacity = opacity;
    this.draw();
  }

  /** Lowest and highest finite value of the slice on screen (all channels). */
  sliceRange(): { min: number; max: number } | undefined {
    const values = this.slice?.values;
    if (!values) return undefined;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return Number.isFinite(min) ? { min, max } : undefined;
  }

  get hasOverlay(): boolean {
    return this.overlay !== undefined;
  }

  resetView(): void {
    this.zoom = undefined;
    this.pan = [0, 0];
    this.draw();
  }

  zoomBy(factor: number): void {
    this.zoom = Math.min(64, Math.max(0.05, this.currentZoom() * factor));
    this.draw();
    this.callbacks.onView(this.zoom, this.pan);
  }

  /** Re-windows the slice into the base canvas, then draws. */
  private render(): void {
    const slice = this.slice;
    if (!slice) return;
    if (this.base.width !== slice.width || this.base.height !== slice.height) {
      this.base.width = slice.width;
      this.base.height = slice.height;
    }
    const context = this.base.getContext('2d')!;
    const image = context.createImageData(slice.width, slice.height);
    windowToRgba(slice.values, slice.channels, this.window, image.data);
    context.putImageData(image, 0, 0);
    this.draw();
  }

  currentZoom(): number {
    if (this.zoom !== undefined) return this.zoom;
    const slice = this.slice;
    if (!slice) return 1;
    const { width, height } = this.container.getBoundingClientRect();
    return Math.max(0.05, Math.min(width / slice.width, height / (slice.height * this.aspect)) * 0.95);
  }

  private draw(): void {
    const canvas = this.element;
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = this.container.getBoundingClientRect();
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const context = canvas.getContext('2d')!;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    const slice = this.slice;
    if (!slice) return;
    const zoom = this.currentZoom();
    const [x, y, w, h] = this.placement(zoom);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.base, x, y, w, h);
    if (this.overlay) {
      context.imageSmoothingEnabled = true;
      context.globalAlpha = this.opacity;
      context.drawImage(this.overlay, x, y, w, h);
      context.globalAlpha = 1;
    }
  }

  /** Where the image sits on screen (CSS pixels): centred, then panned. */
  private placement(zoom: number): [number, number, number, number] {
    const slice = this.slice!;
    const { width, height } = this.container.getBoundingClientRect();
    const w = slice.width * zoom;
    const h = slice.height * zoom * this.aspect;
    return [(width - w) / 2 + this.pan[0], (height - h) / 2 + this.pan[1], w, h];
  }

  private pixelAt(event: MouseEvent): { x: number; y: number } | undefined {
    const slice = this.slice;
    if (!slice) return undefined;
    const rect = this.element.getBoundingClientRect();
    const [x0, y0, w, h] = this.placement(this.currentZoom());
    const x = Math.floor(((event.clientX - rect.left - x0) / w) * slice.width);
    const y = Math.floor(((event.clientY - rect.top - y0) / h) * slice.height);
    return x >= 0 && y >= 0 && x < slice.width && y < slice.height ? { x, y } : undefined;
  }

  private listen(): void {
    let drag: { x: number; y: number; mode: 'window' | 'pan'; window: Window; pan: [number, number] } | undefined;
    this.element.addEventListener('mousedown', (event) => {
      this.element.focus();
      const mode = event.button === 1 || event.shiftKey ? 'pan' : 'window';
      drag = { x: event.clientX, y: event.clientY, mode, window: this.window, pan: [...this.pan] };
      event.preventDefault();
    });
    window.addEventListener('mouseup', () => (drag = undefined));
    window.addEventListener('mousemove', (event) => {
      if (drag && this.slice) {
        const dx = event.clientX - drag.x;
        const dy = event.clientY - drag.y;
        if (drag.mode === 'pan') {
          this.pan = [drag.pan[0] + dx, drag.pan[1] + dy];
          this.zoom = this.currentZoom();
          this.draw();
          this.callbacks.onView(this.zoom, this.pan);
        } else {
          this.setWindow(dragWindow(drag.window, dx, dy));
          this.callbacks.onWindow(this.window);
        }
      }
    });
    this.element.addEventListener('mousemove', (event) => {
      const at = this.pixelAt(event);
      const slice = this.slice;
      if (!at || !slice) return this.callbacks.onCursor(undefined);
      const i = (at.y * slice.width + at.x) * slice.channels;
      this.callbacks.onCursor({ ...at, values: Array.from(slice.values.subarray(i, i + slice.channels)) });
    });
    this.element.addEventListener('mouseleave', () => this.callbacks.onCursor(undefined));
    this.element.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        this.zoomBy(event.deltaY < 0 ? 1.15 : 1 / 1.15);
      },
      { passive: false },
    );
  }
}

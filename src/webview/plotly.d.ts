/** The part of plotly.js the viewer uses (the basic bundle ships no types; it sets window.Plotly). */
interface PlotlyPoint {
  readonly x: number;
  readonly y: number;
}

interface PlotlyElement extends HTMLElement {
  on(event: 'plotly_click', handler: (data: { points: readonly PlotlyPoint[] }) => void): void;
}

interface PlotlyApi {
  react(element: HTMLElement, data: readonly object[], layout?: object, config?: object): Promise<PlotlyElement>;
}

interface Window {
  Plotly?: PlotlyApi;
}

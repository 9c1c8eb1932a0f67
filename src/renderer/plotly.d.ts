/** The part of plotly.js the renderer uses (the cartesian bundle ships no types). */
declare module 'plotly.js-cartesian-dist-min' {
  const Plotly: {
    react(element: HTMLElement, data: readonly object[], layout?: object, config?: object): Promise<HTMLElement>;
    restyle(element: HTMLElement, update: object, traces?: readonly number[]): Promise<HTMLElement>;
    purge(element: HTMLElement): void;
  };
  export default Plotly;
}

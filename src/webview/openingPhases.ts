/**
 * When each step of the page's first showing finished, in ms after its
 * navigation start: read back through the 'state' request by
 * scripts/viewerTimings.mjs. Later repeats of a step are not recorded.
 */
const phases: Record<string, number> = {};

export function phase(name: 'script' | 'info' | 'slice' | 'painted' | 'model' | 'plotly' | 'chart'): void {
  phases[name] ??= performance.now();
}

export function openingPhases(): { timeOrigin: number; phases: Record<string, number> } {
  return { timeOrigin: performance.timeOrigin, phases: { ...phases } };
}

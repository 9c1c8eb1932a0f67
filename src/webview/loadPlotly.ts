import { phase } from './openingPhases';

/** The nonce this page's scripts carry; a script added later needs it to pass the CSP. */
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const source = (document.currentScript as HTMLScriptElement | null)?.src.replace(/viewer\.js(\?.*)?$/, 'plotly.js') ?? '';

let loading: Promise<PlotlyApi> | undefined;

/**
 * plotly.js (1.2 MB) is loaded only when the first chart is drawn, so parsing
 * it never delays the first paint of the scan.
 */
export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = nonce;
    script.src = source;
    script.onload = () => {
      phase('plotly');
      if (window.Plotly) resolve(window.Plotly);
      else reject(new Error('plotly.js did not load'));
    };
    script.onerror = () => reject(new Error('plotly.js could not be loaded'));
    document.head.append(script);
  });
  return loading;
}

import { loadPlotly } from './loadPlotly';

/** A VS Code theme colour (CSS variable on the page), so charts follow the theme. */
function theme(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function layout(height: number): object {
  const foreground = theme('--vscode-foreground', '#ccc');
  const font = theme('--vscode-font-family', 'sans-serif');
  return {
    height,
    margin: { l: 90, r: 12, t: 8, b: 28 },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: foreground, family: font, size: 11 },
    xaxis: { gridcolor: theme('--vscode-editorWidget-border', '#555'), zeroline: false },
    yaxis: { automargin: true },
    showlegend: false,
  };
}

/** Static charts: no mode bar (its styles would need an inline <style>, which the CSP refuses). */
const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };

export async function drawProbabilities(element: HTMLElement, labels: readonly string[], probabilities: readonly number[], highlight: number): Promise<void> {
  const accent = theme('--vscode-charts-blue', '#3794ff');
  const muted = theme('--vscode-descriptionForeground', '#888');
  const Plotly = await loadPlotly();
  await Plotly.react(
    element,
    [
      {
        type: 'bar',
        orientation: 'h',
        x: [...probabilities].reverse(),
        y: [...labels].reverse(),
        text: [...probabilities].reverse().map((p) => `${(p * 100).toFixed(1)}%`),
        textposition: 'auto',
        marker: { color: labels.map((_, i) => (i === highlight ? accent : muted)).reverse() },
        hoverinfo: 'x+y',
      },
    ],
    { ...layout(40 + labels.length * 28), xaxis: { range: [0, 1], tickformat: '.0%' } },
    CONFIG,
  );
}

/** Per-slice probability of each class; a click on the chart jumps to that slice. */
export async function drawProfile(element: HTMLElement, labels: readonly string[], probabilities: readonly (readonly number[])[], current: number, onPick: (slice: number) => void): Promise<void> {
  const traces = labels.map((label, c) => ({ type: 'scatter', mode: 'lines', name: label, x: probabilities.map((_, s) => s), y: probabilities.map((p) => p[c]) }));
  const Plotly = await loadPlotly();
  const chart: PlotlyElement = await Plotly.react(
    element,
    traces,
    {
      ...layout(160),
      margin: { l: 36, r: 12, t: 28, b: 28 },
      showlegend: true,
      legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom' },
      yaxis: { range: [0, 1] },
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: current, x1: current, y0: 0, y1: 1, line: { color: theme('--vscode-focusBorder', '#007fd4'), width: 1 } }],
    },
    CONFIG,
  );
  if (!element.dataset['clickBound']) {
    element.dataset['clickBound'] = 'yes';
    chart.on('plotly_click', (data) => {
      const point = data.points[0];
      if (point) onPick(Math.round(point.x));
    });
  }
}

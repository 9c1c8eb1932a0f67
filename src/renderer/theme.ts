/** Reads a VS Code theme colour (CSS variable) from the output's element, with a fallback outside VS Code. */
export function themeColor(element: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(`--vscode-${name}`).trim() || fallback;
}

/** Plotly layout defaults that follow the VS Code theme: transparent paper, theme font and grid colours; `extra` axes are merged in. */
export function plotLayout(element: HTMLElement, extra: { readonly xaxis?: object; readonly yaxis?: object; readonly [key: string]: unknown }): object {
  const foreground = themeColor(element, 'foreground', '#444');
  const grid = themeColor(element, 'editorWidget-border', '#ccc');
  const axis = { color: foreground, gridcolor: grid, zerolinecolor: grid, automargin: true };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: foreground, family: themeColor(element, 'font-family', 'sans-serif'), size: 12 },
    margin: { l: 50, r: 20, t: 30, b: 40 },
    height: 300,
    ...extra,
    xaxis: { ...axis, ...extra.xaxis },
    yaxis: { ...axis, ...extra.yaxis },
  };
}

/** The chart colour of the theme's palette (VS Code's charts.* colours). */
export function accent(element: HTMLElement): string {
  return themeColor(element, 'charts-blue', '#3794ff');
}

export const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

export const STYLES = `
.sl-root { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 4px 0; }
.sl-title { font-weight: 600; margin: 2px 0 6px; }
.sl-open-results { margin-left: 8px; font: inherit; font-weight: normal; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 1px 8px; cursor: pointer; }
.sl-table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
.sl-table th, .sl-table td { border: 1px solid var(--vscode-editorWidget-border, #ccc); padding: 2px 8px; text-align: left; }
.sl-table th { background: var(--vscode-editorWidget-background, transparent); }
.sl-top { color: var(--vscode-charts-blue, #3794ff); font-weight: 600; }
.sl-controls { display: flex; gap: 16px; align-items: center; margin: 4px 0; }
.sl-control select, .sl-control input { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); }
.sl-error { color: var(--vscode-errorForeground, #f14c4c); }
.sl-note { opacity: 0.8; font-size: 90%; }
.sl-warning { color: var(--vscode-editorWarning-foreground, #cca700); background: var(--vscode-inputValidation-warningBackground, transparent); border: 1px solid var(--vscode-inputValidation-warningBorder, #cca700); padding: 4px 8px; margin: 4px 0 8px; }
.sl-warning ul { margin: 4px 0 0; padding-left: 20px; }
.sl-file { font-weight: 600; }
.sl-ood td { color: var(--vscode-editorWarning-foreground, #cca700); }
`;

/** The square frame of a ROC curve, as the evaluate and anomaly views draw it. */
export function rocLayout(element: HTMLElement): object {
  return plotLayout(element, {
    width: 380,
    height: 340,
    legend: { orientation: 'h', y: -0.25 },
    xaxis: { title: { text: 'false positive rate' }, range: [0, 1] },
    yaxis: { title: { text: 'true positive rate' }, range: [0, 1] },
  });
}

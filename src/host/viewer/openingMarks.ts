import type * as vscode from 'vscode';

/** The steps of opening a viewer that the extension host sees, in order. */
export type OpeningStep = 'open' | 'decoded' | 'resolve' | 'ready' | 'info' | 'slice' | 'painted';

/**
 * Marks one step of a viewer's first showing on the extension host's
 * performance timeline (node:perf_hooks), with the document's URI as detail;
 * scripts/viewerTimings.mjs reads them back. Seven small entries per opened
 * document, and no cost when nobody reads them.
 */
export function markOpening(step: OpeningStep, uri: vscode.Uri): void {
  performance.mark(`scanlens.viewer.${step}`, { detail: uri.toString() });
}

import { terminalText } from '../../core/text/escape';
import { NotebookResultSchema, SCANLENS_RESULT_MIME, type NotebookResult, type Provenance } from '../../protocol/notebookResult';
import type { PlotlyFigure } from './plotlyCharts';

/** One output of a cell, as plain data: mime type → value, richest first, text/plain last. */
export interface DisplayOutput {
  readonly kind: 'display';
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: { readonly scanlens: Provenance };
}

/** A failed command: one line naming the file/line and the reason, never a stack. */
export interface ErrorOutput {
  readonly kind: 'error';
  readonly name: string;
  readonly message: string;
}

export type NotebookOutput = DisplayOutput | ErrorOutput;

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

interface Parts {
  readonly result?: NotebookResult;
  readonly plotly?: PlotlyFigure;
  /** The same chart as static SVG, for viewers without plotly. */
  readonly svg?: string;
  readonly png?: Uint8Array;
  readonly markdown?: string;
  readonly text: string;
}

/**
 * Plain text as a notebook shows it: each line through terminalText, so no
 * ESC, other control or bidi override in a name, label or message reaches
 * text/plain or a traceback, which VS Code and Jupyter render with ANSI
 * escapes. Lines the producer joined stay lines; a producer that puts a
 * name or label in its text escapes it itself, so a newline in one cannot
 * add a line (escaping twice changes nothing).
 */
const plainText = (text: string): string => text.split('\n').map(terminalText).join('\n');

/** Builds one output; a result payload is checked against the protocol schema so the renderer can trust it. */
export function displayOutput(parts: Parts, provenance: Provenance): DisplayOutput {
  const data: Record<string, unknown> = {};
  if (parts.result) data[SCANLENS_RESULT_MIME] = NotebookResultSchema.parse(parts.result);
  if (parts.plotly) data[PLOTLY_MIME] = parts.plotly;
  if (parts.svg !== undefined) data['image/svg+xml'] = parts.svg;
  if (parts.png) data['image/png'] = Buffer.from(parts.png).toString('base64');
  if (parts.markdown !== undefined) data['text/markdown'] = parts.markdown;
  data['text/plain'] = plainText(parts.text);
  return { kind: 'display', data, metadata: { scanlens: provenance } };
}

export function errorOutput(message: string, name = 'ScanLensError'): ErrorOutput {
  return { kind: 'error', name, message: plainText(message) };
}

import type { ClassifyRow } from '../classify/classify';

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  // Quote per RFC 4180; also neutralise leading formula characters for spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The out-of-distribution guard's columns, after error so readers that find columns by name are unaffected. */
export const GUARD_COLUMNS = ['anomaly_score', 'anomaly_threshold', 'flag'] as const;

/**
 * One CSV table: file, top label and probability, one column per label, error;
 * then the guard's columns for a guarded model. `guarded` comes from the model,
 * not the rows, so a streamed file's header, written before any row, matches the final one.
 */
export function classifyCsv(labels: readonly string[], rows: readonly ClassifyRow[], guarded: boolean): string {
  const header = ['file', 'top_label', 'top_probability', ...labels.map((l) => `p_${l}`), 'error', ...(guarded ? GUARD_COLUMNS : [])];
  const lines = [header.map(cell).join(',')];
  for (const row of rows) {
    const probs = labels.map((_, i) => row.probabilities?.[i]);
    const anomaly = guarded ? [row.anomalyScore, row.anomalyThreshold, row.flag] : [];
    lines.push([row.file, row.top?.label, row.top?.probability, ...probs, row.error, ...anomaly].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

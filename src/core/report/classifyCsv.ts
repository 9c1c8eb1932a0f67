import type { ClassifyRow } from '../classify/classify';

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  // Quote per RFC 4180; also neutralise leading formula characters for spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One CSV table: file, top label and probability, one column per label, error;
 * then anomaly_score and flag when any row was guarded (after error, so
 * readers that find columns by name are unaffected).
 */
export function classifyCsv(labels: readonly string[], rows: readonly ClassifyRow[]): string {
  const guarded = rows.some((r) => r.anomalyScore !== undefined);
  const header = ['file', 'top_label', 'top_probability', ...labels.map((l) => `p_${l}`), 'error', ...(guarded ? ['anomaly_score', 'flag'] : [])];
  const lines = [header.map(cell).join(',')];
  for (const row of rows) {
    const probs = labels.map((_, i) => row.probabilities?.[i]);
    const anomaly = guarded ? [row.anomalyScore, row.flag] : [];
    lines.push([row.file, row.top?.label, row.top?.probability, ...probs, row.error, ...anomaly].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

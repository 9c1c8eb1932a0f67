import type { ClassifyRow } from '../classify/classify';

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  // Quote per RFC 4180; also neutralise leading formula characters for spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV table: file, top label and probability, one column per label, error. */
export function classifyCsv(labels: readonly string[], rows: readonly ClassifyRow[]): string {
  const header = ['file', 'top_label', 'top_probability', ...labels.map((l) => `p_${l}`), 'error'];
  const lines = [header.map(cell).join(',')];
  for (const row of rows) {
    const probs = labels.map((_, i) => row.probabilities?.[i]);
    lines.push([row.file, row.top?.label, row.top?.probability, ...probs, row.error].map(cell).join(','));
  }
  return lines.join('\n') + '\n';
}

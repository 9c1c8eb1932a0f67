import type { ClassifyRow } from '../classify/classify';

function percent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** One file's result for people: every class by probability, notes, then the raw JSON. */
export function detailsMarkdown(row: ClassifyRow, model: Record<string, unknown>): string {
  const labels = row.labels ?? [];
  const order = labels.map((label, i) => ({ label, p: row.probabilities?.[i] ?? 0 })).sort((a, b) => b.p - a.p);
  const sha = typeof model.sha256 === 'string' ? ` (sha256 ${model.sha256.slice(0, 12)}…)` : '';
  return [
    `# ScanLens: ${row.file}`,
    '',
    `Model: ${String(model.name)} ${String(model.version ?? '')}${sha}`,
    '',
    ...(row.error !== undefined
      ? [`Error: ${row.error}`]
      : ['| Class | Probability |', '|---|---|', ...order.map((r) => `| ${r.label} | ${percent(r.p)} |`)]),
    '',
    ...(row.notes?.length ? ['Notes:', ...row.notes.map((n) => `- ${n}`), ''] : []),
    '> Research tool, not a medical device.',
    '',
    '```json',
    JSON.stringify({ model, result: row }, null, 2),
    '```',
    '',
  ].join('\n');
}

/** The one-line summary a notification shows: top classes with percentages. */
export function topLine(row: ClassifyRow): string {
  return (row.topK ?? []).map((r) => `${r.label} ${percent(r.probability)}`).join(' · ');
}

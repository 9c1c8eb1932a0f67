/** Reads a ScanLens HTML report back the way a script would: from the data attributes of its rows and audit. */

/** Undoes htmlText's character references (&#NN;) and the named ones a browser would accept. */
function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&(amp|lt|gt|quot);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[name]!);
}

function attributes(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/\s(data-[a-z-]+)="([^"]*)"/g)].map((m) => [m[1]!.slice(5), unescapeHtml(m[2]!)]));
}

/** Each `<tr data-index>` of the rows table, its data attributes by name (without `data-`). */
export function reportRows(html: string): Record<string, string>[] {
  return [...html.matchAll(/<tr (data-index="[^>]*)>/g)].map((m) => attributes(' ' + m[1]!));
}

/** The audit paragraph's data attributes, or undefined when the report has no audit. */
export function reportAudit(html: string): { accuracy: number; evaluated: number; failed: number; ece: number; confusion: number[][]; auc: (number | null)[] } | undefined {
  const tag = /<p id="audit"([^>]*)>/.exec(html)?.[1];
  if (tag === undefined) return undefined;
  const a = attributes(tag);
  return {
    accuracy: Number(a['accuracy']),
    evaluated: Number(a['evaluated']),
    failed: Number(a['failed']),
    ece: Number(a['ece']),
    confusion: JSON.parse(a['confusion']!) as number[][],
    auc: JSON.parse(a['auc']!) as (number | null)[],
  };
}

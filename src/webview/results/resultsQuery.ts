import type { Filter, ResultsEntry, Sort } from '../../protocol/resultsMessages';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Whether an entry passes every field the filter sets. */
export function passes(entry: ResultsEntry, filter: Filter): boolean {
  const { text, label, truth, minProbability, maxProbability, maxMargin, minEntropy, flagged, errors, wrong } = filter;
  if (errors === 'only' && entry.error === undefined) return false;
  if (errors === 'none' && entry.error !== undefined) return false;
  if (text) {
    const needle = text.toLowerCase();
    if (!entry.file.toLowerCase().includes(needle) && !(entry.top?.label.toLowerCase().includes(needle) ?? false)) return false;
  }
  if (label !== undefined && entry.top?.label !== label) return false;
  if (truth !== undefined && entry.truth !== truth) return false;
  const p = entry.top?.probability;
  if (minProbability !== undefined && (p === undefined || p < minProbability)) return false;
  if (maxProbability !== undefined && (p === undefined || p > maxProbability)) return false;
  if (maxMargin !== undefined && (entry.margin === undefined || entry.margin > maxMargin)) return false;
  if (minEntropy !== undefined && (entry.entropy === undefined || entry.entropy < minEntropy)) return false;
  if (flagged === 'flagged' && !entry.anomaly?.flagged) return false;
  if (flagged === 'unflagged' && (entry.anomaly === undefined || entry.anomaly.flagged)) return false;
  if (wrong && (entry.truth === undefined || entry.top === undefined || entry.top.label === entry.truth)) return false;
  return true;
}

/** The number an entry sorts by; undefined (an error row, a missing value) sorts last either way. */
function numberOf(entry: ResultsEntry, key: Exclude<Sort['key'], 'file' | 'class'>): number | undefined {
  if (key === 'probability') return entry.top?.probability;
  if (key === 'anomaly') return entry.anomaly?.score;
  return entry[key];
}

function compare(a: ResultsEntry, b: ResultsEntry, sort: Sort): number {
  const direction = sort.descending ? -1 : 1;
  if (sort.key === 'file') return direction * collator.compare(a.file, b.file);
  if (sort.key === 'class') {
    if (a.top === undefined || b.top === undefined) return a.top === b.top ? 0 : a.top === undefined ? 1 : -1;
    return direction * collator.compare(a.top.label, b.top.label) || -(a.top.probability - b.top.probability);
  }
  const x = numberOf(a, sort.key);
  const y = numberOf(b, sort.key);
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  return direction * (x - y);
}

/** Indices of the entries that pass the filter, sorted; ties keep the result's own order. */
export function query(entries: readonly ResultsEntry[], filter: Filter, sort: Sort): number[] {
  const shown: number[] = [];
  for (let i = 0; i < entries.length; i++) if (passes(entries[i]!, filter)) shown.push(i);
  return shown.sort((i, j) => compare(entries[i]!, entries[j]!, sort) || i - j);
}

import { oneLine } from '../errors';
import type { OodGuard } from '../anomaly/oodGuard';
import type { ClassifyRow } from './classify';

/** Rows in, the same rows out: anomaly fields added when the classifier has a detector. */
export type RowGuard = (rows: AsyncIterable<ClassifyRow>) => AsyncIterable<ClassifyRow>;

/**
 * Adds the guard's verdict to each classified row. A row that failed to
 * classify has nothing to guard; a guard that fails on one file leaves the
 * classification standing with a note, since the classification itself is fine.
 */
export async function* guardRows(rows: AsyncIterable<ClassifyRow>, guard: Pick<OodGuard, 'check'>): AsyncGenerator<ClassifyRow> {
  for await (const row of rows) {
    if (row.error !== undefined) {
      yield row;
      continue;
    }
    try {
      const { anomalyScore, threshold, flag } = await guard.check(row.file);
      yield { ...row, anomalyScore, anomalyThreshold: threshold, ...(flag ? { flag } : {}) };
    } catch (error) {
      yield { ...row, notes: [...(row.notes ?? []), `anomaly score failed: ${oneLine(error)}`] };
    }
  }
}

/** Rows through the classifier's guard, or untouched when it has none. */
export function rowGuard(guard: OodGuard | undefined): RowGuard {
  return guard ? (rows) => guardRows(rows, guard) : (rows) => rows;
}

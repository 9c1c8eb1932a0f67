import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import type { ClassifyResult } from '../../core/jobs/classifyJob';
import { classifyCsv } from '../../core/report/classifyCsv';
import type { ResultFile } from './resultFile';

/** Whether any row (an image, or a volume's top peak) carries a guard verdict or a prediction set: the CSV then has those columns, as classify wrote it. */
function columnsOf(rows: readonly ClassifyResult[]): { guarded: boolean; conformal: boolean } {
  const verdict = (row: ClassifyResult): object => ('peaks' in row ? row.top : row);
  return { guarded: rows.some((row) => 'anomalyScore' in verdict(row)), conformal: rows.some((row) => 'predictionSet' in row && row.predictionSet !== undefined) };
}

/**
 * Writes the chosen rows beside the result, in the result's own words: a CSV
 * as a folder classification writes it, or a JSON document with the result's
 * model and the rows. The name says it is a selection and how many rows it holds.
 */
export async function exportSelection(result: ResultFile, indices: readonly number[], format: 'csv' | 'json'): Promise<{ path: string; rows: number }> {
  const rows = indices.map((i) => {
    const row = result.rows[i];
    if (!row) throw new Error(`row ${i} is not in ${basename(result.path)}`);
    return row;
  });
  const stem = basename(result.path, extname(result.path));
  const path = join(dirname(result.path), `${stem}-selection-${rows.length}.${format}`);
  const text = format === 'csv' ? classifyCsv(result.model.labels, rows, columnsOf(rows)) : JSON.stringify({ model: result.model, results: rows, selectedFrom: basename(result.path) }, null, 2) + '\n';
  await writeFileAtomic(path, text);
  return { path, rows: rows.length };
}

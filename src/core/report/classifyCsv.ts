import { hasGuard, OUT_OF_DISTRIBUTION } from '../anomaly/oodGuard';
import type { LoadedModel } from '../model/loadModel';
import { rank } from '../classify/classify';
import { createHash } from 'node:crypto';
import { csvCell, csvField, parseCsv, quoteField, unguardCell } from '../io/csv';
import type { ClassifyResult, VolumeResult } from '../jobs/classifyJob';

/** The out-of-distribution guard's columns, after error so readers that find columns by name are unaffected. */
const GUARD_COLUMNS = ['anomaly_score', 'anomaly_threshold', 'flag'] as const;

/** The conformal prediction set's column: its labels, most probable first, ';'-separated. */
const SET_COLUMN = 'prediction_set';

/** Which optional columns a model's CSV has: the guard's when it names a detector, the prediction set's when it is conformally calibrated. */
export interface CsvColumns {
  readonly guarded: boolean;
  readonly conformal: boolean;
}

export function csvColumnsOf(model: LoadedModel): CsvColumns {
  return { guarded: hasGuard(model), conformal: model.manifest.output.conformal !== undefined };
}

/**
 * What says which input a row is and, for a volume or series, how it was read:
 * p_<label> is then each class's peak probability over the slices, top_* the
 * top peak, peak_slices each class's peak slice (';'-separated, label order).
 */
const KIND_COLUMNS = ['kind', 'axis', 'slices', 'top_slice', 'peak_slices'] as const;

/**
 * The last column: the first 8 hex digits of the SHA-256 of the row's other
 * cells, as read back (unquoted), in a JSON array. A row cut off anywhere —
 * a killed run, a full disk — or changed afterwards does not match it, so
 * --resume classifies that input again instead of trusting what is left.
 */
export const CHECK_COLUMN = 'check';

export function rowCheck(fields: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 8);
}

/** The header: it depends on the model only, so a streamed file's header, written before any row, matches the final one. */
export function classifyCsvHeader(labels: readonly string[], columns: CsvColumns): string {
  return [
    ...['file', 'top_label', 'top_probability'],
    ...labels.map((l) => `p_${l}`),
    'error',
    ...(columns.guarded ? GUARD_COLUMNS : []),
    ...(columns.conformal ? [SET_COLUMN] : []),
    ...KIND_COLUMNS,
    CHECK_COLUMN,
  ]
    .map(csvCell)
    .join(',');
}

/** One row's CSV line (no newline): an image's probabilities, or a volume's peaks; an error row has only its file, error and kind; last its check. */
export function classifyCsvLine(labels: readonly string[], row: ClassifyResult, columns: CsvColumns): string {
  const volume = 'peaks' in row ? row : undefined;
  const probabilities = volume ? labels.map((_, i) => volume.peaks[i]?.probability) : labels.map((_, i) => ('probabilities' in row ? row.probabilities?.[i] : undefined));
  const top = 'top' in row ? row.top : undefined;
  const verdict = volume ? volume.top : row;
  const anomaly = columns.guarded
    ? ['anomalyScore' in verdict ? verdict.anomalyScore : undefined, 'anomalyThreshold' in verdict ? verdict.anomalyThreshold : undefined, 'flag' in verdict ? verdict.flag : undefined]
    : [];
  const shape = volume ? [volume.axis, volume.sliceCount, volume.top.slice, volume.peaks.map((p) => p.slice).join(';')] : [undefined, undefined, undefined, undefined];
  const set = columns.conformal ? ['predictionSet' in row && row.predictionSet ? row.predictionSet.join(';') : undefined] : [];
  const fields = [row.file, top?.label, top?.probability, ...probabilities, 'error' in row ? row.error : undefined, ...anomaly, ...set, row.kind, ...shape].map(csvField);
  return [...fields, rowCheck(fields)].map(quoteField).join(',');
}

export function classifyCsv(labels: readonly string[], rows: readonly ClassifyResult[], columns: CsvColumns): string {
  return [classifyCsvHeader(labels, columns), ...rows.map((row) => classifyCsvLine(labels, row, columns))].join('\n') + '\n';
}

const finite = (text: string | undefined): number | undefined => (text !== undefined && text !== '' && Number.isFinite(Number(text)) ? Number(text) : undefined);

/**
 * Rows back from a CSV classifyCsv wrote (for --resume): image rows whole;
 * volume rows with their peaks and slice count (the per-slice profile is only
 * in JSON Lines). A record that does not parse whole, has another number of
 * cells than the header or does not match its check is an error row, so it
 * is classified again rather than trusted. A file without the check column
 * gives no rows.
 */
export function rowsFromCsv(text: string, labels: readonly string[]): ClassifyResult[] {
  const [header, ...records] = parseCsv(text);
  if (!header) return [];
  const column = (name: string): number => header.indexOf(name);
  const probColumns = labels.map((l) => column(`p_${l}`));
  const checkColumn = column(CHECK_COLUMN);
  if (column('file') < 0 || probColumns.some((c) => c < 0) || checkColumn !== header.length - 1) return [];
  const at = (record: readonly string[], name: string): string | undefined => (column(name) < 0 ? undefined : record[column(name)]);
  return records.map((record): ClassifyResult => {
    const file = unguardCell(at(record, 'file') ?? '');
    if (record.length !== header.length || record[checkColumn] !== rowCheck(record.slice(0, checkColumn))) {
      return { kind: 'image', file, error: 'incomplete row in the previous output' };
    }
    const kind = at(record, 'kind') === 'volume' || at(record, 'kind') === 'series' ? (at(record, 'kind') as 'volume' | 'series') : 'image';
    const error = at(record, 'error');
    if (error) return { kind, file, error: unguardCell(error) };
    const probabilities = probColumns.map((c) => finite(record[c]));
    const score = finite(at(record, 'anomaly_score'));
    const threshold = finite(at(record, 'anomaly_threshold'));
    const verdict =
      score !== undefined && threshold !== undefined ? { anomalyScore: score, anomalyThreshold: threshold, ...(at(record, 'flag') === OUT_OF_DISTRIBUTION ? { flag: OUT_OF_DISTRIBUTION } : {}) } : {};
    if (probabilities.some((p) => p === undefined)) return { kind, file, error: 'incomplete row in the previous output' };
    // An image's row, or a 3D model's whole-volume row (a volume or series with no axis: it was not cut into slices).
    if (kind === 'image' || (at(record, 'axis') ?? '') === '') {
      const topK = rank(labels, probabilities as number[], labels.length);
      const set = at(record, SET_COLUMN);
      const row = { file, labels, probabilities: probabilities as number[], top: topK[0]!, topK, ...verdict, ...(set ? { predictionSet: unguardCell(set).split(';') } : {}) };
      return kind === 'image' ? { kind, ...row } : { kind, ...row };
    }
    const peakSlices = (at(record, 'peak_slices') ?? '').split(';').map(finite);
    const sliceCount = finite(at(record, 'slices'));
    const topSlice = finite(at(record, 'top_slice'));
    const axis = at(record, 'axis');
    if (
      peakSlices.length !== labels.length ||
      peakSlices.some((s) => s === undefined) ||
      sliceCount === undefined ||
      topSlice === undefined ||
      (axis !== 'axial' && axis !== 'coronal' && axis !== 'sagittal')
    ) {
      return { kind, file, error: 'incomplete row in the previous output' };
    }
    const peaks = labels.map((label, i) => ({ label, slice: peakSlices[i]!, probability: probabilities[i]! }));
    const best = peaks.reduce((a, b) => (b.probability > a.probability ? b : a));
    const row: VolumeResult = { kind, file, axis, labels, slices: [], sliceCount, peaks, top: { ...best, slice: topSlice, ...verdict } };
    return row;
  });
}

import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OUT_OF_DISTRIBUTION } from '../core/anomaly/oodGuard';
import { rank, type ClassifyRow } from '../core/classify/classify';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { GUARD_COLUMNS, classifyCsv } from '../core/report/classifyCsv';

export type ResultFormat = 'csv' | 'jsonl';

/** A row of the output file: an image's row, or a volume's (JSONL only). */
export type OutputRow = ClassifyRow | { readonly file: string; readonly error?: string; readonly [key: string]: unknown };

/** Where rows stream while a run is going; renamed into place only by the final atomic write. */
export const partialPath = (path: string): string => `${path}.partial`;

function formatRows(format: ResultFormat, labels: readonly string[], guarded: boolean, rows: readonly OutputRow[]): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r) + '\n').join('');
  return classifyCsv(labels, rows.filter((r): r is ClassifyRow => !('axis' in r)), guarded);
}

/**
 * Streams rows to `<file>.partial` as they finish, so a crash or Ctrl-C
 * loses at most the rows in flight (and `--resume` picks up from there); the
 * complete file is written atomically at the end and the partial removed.
 */
export class ResultFile {
  private stream: WriteStream | undefined;

  constructor(
    readonly path: string,
    readonly format: ResultFormat,
    private readonly labels: readonly string[],
    /** The model has an out-of-distribution guard: the CSV has its columns from the header on. */
    private readonly guarded: boolean,
  ) {}

  /** Starts the partial file afresh, or, resuming, continues the one a stopped run left. */
  async open(resume: boolean): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const existing = resume ? await readFile(partialPath(this.path), 'utf8').catch(() => '') : '';
    this.stream = createWriteStream(partialPath(this.path), { flags: resume ? 'a' : 'w' });
    if (existing !== '' && !existing.endsWith('\n')) this.stream.write('\n');
    if (this.format === 'csv' && existing === '') this.stream.write(formatRows('csv', this.labels, this.guarded, []));
  }

  append(row: OutputRow): void {
    if (this.format === 'csv' && 'axis' in row) return;
    const text = formatRows(this.format, this.labels, this.guarded, [row]);
    this.stream?.write(this.format === 'csv' ? text.slice(text.indexOf('\n') + 1) : text);
  }

  /** The whole file, atomically; the partial goes only once the final file is in place. */
  async finish(rows: readonly OutputRow[]): Promise<void> {
    await this.close();
    await writeFileAtomic(this.path, formatRows(this.format, this.labels, this.guarded, rows));
    await rm(partialPath(this.path), { force: true });
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

/** RFC 4180 fields of one CSV text; quotes may span lines. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\n') record.push(field), records.push(record), (record = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field !== '' || record.length > 0) record.push(field), records.push(record);
  return records;
}

/** Undoes classifyCsv's spreadsheet-formula guard on a text cell. */
const unguard = (text: string): string => (/^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text);

/** The guard's verdict from a record's anomaly cells, so a resumed row keeps its flag; nothing when they are empty or absent. */
function verdictFromCsv(record: readonly string[], columns: readonly number[]): Pick<ClassifyRow, 'anomalyScore' | 'anomalyThreshold' | 'flag'> {
  const [score, threshold, flag] = columns.map((c) => record[c] ?? '');
  if (!score || !threshold || !Number.isFinite(Number(score)) || !Number.isFinite(Number(threshold))) return {};
  return { anomalyScore: Number(score), anomalyThreshold: Number(threshold), ...(flag === OUT_OF_DISTRIBUTION ? { flag } : {}) };
}

function rowsFromCsv(text: string, labels: readonly string[]): OutputRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header) return [];
  const column = (name: string): number => header.indexOf(name);
  const probColumns = labels.map((l) => column(`p_${l}`));
  if (column('file') < 0 || probColumns.some((c) => c < 0)) return [];
  const guardColumns = GUARD_COLUMNS.map(column);
  return records.map((record): OutputRow => {
    const file = unguard(record[column('file')] ?? '');
    const error = record[column('error')];
    if (error) return { file, error: unguard(error) };
    const probabilities = probColumns.map((c) => Number(record[c]));
    if (probabilities.some((p) => !Number.isFinite(p))) return { file, error: 'incomplete row in the previous output' };
    const topK = rank(labels, probabilities, labels.length);
    return { file, labels, probabilities, top: topK[0]!, topK, ...verdictFromCsv(record, guardColumns) };
  });
}

function rowsFromJsonl(text: string): OutputRow[] {
  const rows: OutputRow[] = [];
  for (const line of text.split('\n')) {
    // The last line of a partial file may be cut off mid-write: skip what does not parse.
    try {
      const row = JSON.parse(line) as OutputRow;
      if (typeof row?.file === 'string') rows.push(row);
    } catch {
      continue;
    }
  }
  return rows;
}

/**
 * Rows a previous run already wrote, from the final file and its partial
 * (later rows win). Only rows without an error count as done.
 */
export async function previousRows(path: string, format: ResultFormat, labels: readonly string[]): Promise<Map<string, OutputRow>> {
  const done = new Map<string, OutputRow>();
  for (const source of [path, partialPath(path)]) {
    const text = await readFile(source, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    for (const row of format === 'csv' ? rowsFromCsv(text, labels) : rowsFromJsonl(text)) {
      if (row.error === undefined) done.set(row.file, row);
    }
  }
  return done;
}

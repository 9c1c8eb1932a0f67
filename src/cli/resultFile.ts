import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { rowError, type ClassifyResult } from '../core/jobs/classifyJob';
import { classifyCsv, classifyCsvHeader, classifyCsvLine, rowsFromCsv } from '../core/report/classifyCsv';

export type ResultFormat = 'csv' | 'jsonl';

/** A row of the output file: an image's, a volume's or a series' (every format carries all three). */
export type OutputRow = ClassifyResult;

/** Where rows stream while a run is going; renamed into place only by the final atomic write. */
export const partialPath = (path: string): string => `${path}.partial`;

function formatRows(format: ResultFormat, labels: readonly string[], guarded: boolean, rows: readonly OutputRow[]): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r) + '\n').join('');
  return classifyCsv(labels, rows, guarded);
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
    if (this.format === 'csv' && existing === '') this.stream.write(classifyCsvHeader(this.labels, this.guarded) + '\n');
  }

  append(row: OutputRow): void {
    this.stream?.write(this.format === 'csv' ? classifyCsvLine(this.labels, row, this.guarded) + '\n' : JSON.stringify(row) + '\n');
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

function rowsFromJsonl(text: string): OutputRow[] {
  const rows: OutputRow[] = [];
  for (const line of text.split('\n')) {
    // The last line of a partial file may be cut off mid-write: skip what does not parse.
    try {
      const row = JSON.parse(line) as OutputRow;
      // Rows written before rows carried their kind were images'.
      if (typeof row?.file === 'string') rows.push({ ...row, kind: row.kind ?? 'image' } as OutputRow);
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
      if (rowError(row) === undefined) done.set(row.file, row);
    }
  }
  return done;
}

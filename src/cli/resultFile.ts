import { constants } from 'node:fs';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ScanLensError } from '../core/errors';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { completeCsvLength } from '../core/io/csv';
import { checkOutputTarget, notRegular, writeFailure } from '../core/io/regularFile';
import { rowError, type ClassifyResult } from '../core/jobs/classifyJob';
import { classifyCsv, classifyCsvHeader, classifyCsvLine, rowsFromCsv, type CsvColumns } from '../core/report/classifyCsv';

export type ResultFormat = 'csv' | 'jsonl';

/** A row of the output file: an image's, a volume's or a series' (every format carries all three). */
export type OutputRow = ClassifyResult;

/** Where rows stream while a run is going; renamed into place only by the final atomic write. */
export const partialPath = (path: string): string => `${path}.partial`;

function formatRows(format: ResultFormat, labels: readonly string[], columns: CsvColumns, rows: readonly OutputRow[]): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r) + '\n').join('');
  return classifyCsv(labels, rows, columns);
}

/** The byte length of a partial file's whole records; what follows was cut off mid-write. */
function completeLength(format: ResultFormat, bytes: Buffer): number {
  return format === 'csv' ? completeCsvLength(bytes) : bytes.lastIndexOf(0x0a) + 1;
}

/**
 * Never follows a link, never blocks on a FIFO; created if missing. Resuming
 * keeps what is there (read and write), else it starts empty.
 */
const PARTIAL_FLAGS = constants.O_CREAT | constants.O_RDWR | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Streams rows to `<file>.partial` as they finish, so a crash or Ctrl-C
 * loses at most the rows in flight (and `--resume` picks up from there); the
 * complete file is written atomically at the end and the partial removed.
 * Both must be new or regular files. A failed write (read-only folder, full
 * disk, permission) rejects with one line naming the file; the rows written
 * before it stay in the partial, whole, for `--resume`.
 */
export class ResultFile {
  private handle: FileHandle | undefined;
  private queue: Promise<void> = Promise.resolve();
  private failure: ScanLensError | undefined;

  constructor(
    readonly path: string,
    readonly format: ResultFormat,
    private readonly labels: readonly string[],
    /** The optional columns the model's CSV has, from the header on. */
    private readonly columns: CsvColumns,
  ) {}

  /** Starts the partial file afresh, or, resuming, continues the one a stopped run left after its last whole record. */
  async open(resume: boolean): Promise<void> {
    const partial = partialPath(this.path);
    // Refused before any scan is classified: the final rename must not replace a device, FIFO, link or folder.
    await checkOutputTarget(this.path);
    await checkOutputTarget(partial);
    try {
      await mkdir(dirname(this.path), { recursive: true });
    } catch (error) {
      throw writeFailure(error, this.path);
    }
    const handle = await open(partial, PARTIAL_FLAGS, 0o666).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOOP' ? new ScanLensError('cannot write the output here: it is a symbolic link, not a regular file', partial) : writeFailure(error, partial);
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ScanLensError(`cannot write the output here: it ${notRegular(info)}`, partial);
      // A stopped run may have left a record cut off mid-write: it goes, so new rows start on a line of their own.
      const keep = resume ? completeLength(this.format, await handle.readFile()) : 0;
      await handle.truncate(keep);
      this.handle = handle;
      if (this.format === 'csv' && keep === 0) await this.write(classifyCsvHeader(this.labels, this.columns) + '\n');
    } catch (error) {
      this.handle = undefined;
      await handle.close().catch(() => undefined);
      throw writeFailure(error, partial);
    }
  }

  /** Appends one row; rejects with one line naming the partial file when it cannot be written. */
  async append(row: OutputRow): Promise<void> {
    await this.write(this.format === 'csv' ? classifyCsvLine(this.labels, row, this.columns) + '\n' : JSON.stringify(row) + '\n');
  }

  /** Writes in call order even when callers do not wait; after a failure every later write rejects with it. */
  private write(text: string): Promise<void> {
    const handle = this.handle;
    this.queue = this.queue.then(async () => {
      if (this.failure) throw this.failure;
      try {
        // O_APPEND, and writeFile goes on until every byte is written or the write fails.
        await handle?.writeFile(text);
      } catch (error) {
        this.failure = writeFailure(error, partialPath(this.path));
        throw this.failure;
      }
    });
    return this.queue;
  }

  /** The whole file, atomically; the partial goes only once the final file is in place. */
  async finish(rows: readonly OutputRow[]): Promise<void> {
    await this.close();
    await writeFileAtomic(this.path, formatRows(this.format, this.labels, this.columns, rows));
    await rm(partialPath(this.path), { force: true });
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    try {
      await this.queue.catch(() => undefined);
      await handle.close();
    } catch (error) {
      throw writeFailure(error, partialPath(this.path));
    }
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
    // Never read from a FIFO or device in the output's place (it would block); it is refused as an output anyway.
    await checkOutputTarget(source);
    const text = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new ScanLensError(`cannot read the previous output (${error.code ?? error.message})`, source);
    });
    if (text === undefined) continue;
    for (const row of format === 'csv' ? rowsFromCsv(text, labels) : rowsFromJsonl(text)) {
      if (rowError(row) === undefined) done.set(row.file, row);
    }
  }
  return done;
}

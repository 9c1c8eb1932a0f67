import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { oneLine } from '../errors';
import { spawnWorker } from '../native/spawnWorker';
import type { Manifest } from '../model/manifest';
import type { DecodeLimits } from '../scan/limits';
import type { Prepared } from './prepareFile';
import type { PrepareReply, PrepareRequest, PrepareSetup, Slot } from './prepareWorker';

/** One worker per core left over after inference's own thread, at most four. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

function spawn(setup: PrepareSetup): Worker {
  return spawnWorker(__dirname, 'prepareWorker', setup);
}

interface Pending {
  readonly files: readonly string[];
  readonly resolve: (prepared: readonly Prepared[]) => void;
}

/**
 * A small pool of decode + preprocess workers. A batch is split into one
 * contiguous share per worker, round-robin; a worker that dies turns its
 * pending files into error rows and is replaced, so one crash costs those
 * files, not the batch.
 */
export class PreparePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending & { worker: Worker }>();
  private nextId = 0;
  private turn = 0;
  private closed = false;

  constructor(
    private readonly setup: PrepareSetup,
    size: number = defaultWorkers(),
  ) {
    for (let i = 0; i < Math.max(1, size); i++) this.workers.push(this.start());
  }

  private start(): Worker {
    const worker = spawn(this.setup);
    worker.on('message', ({ id, prepared }: PrepareReply) => {
      const entry = this.pending.get(id);
      this.pending.delete(id);
      this.settled(worker);
      entry?.resolve(prepared);
    });
    const fail = (reason: string): void => {
      for (const [id, entry] of this.pending) {
        if (entry.worker !== worker) continue;
        this.pending.delete(id);
        entry.resolve(entry.files.map((file) => ({ file, notes: [], error: `${file}: decode worker stopped (${reason})` })));
      }
      const index = this.workers.indexOf(worker);
      if (index >= 0 && !this.closed) this.workers[index] = this.start();
    };
    worker.on('error', (error) => fail(oneLine(error)));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    // Idle workers must not keep a finished CLI run (or a test) alive; after the listeners, which would ref it again.
    worker.unref();
    return worker;
  }

  /** A worker is referenced exactly while it owes answers, so the process neither exits early nor hangs on idle workers. */
  private settled(worker: Worker): void {
    const owes = [...this.pending.values()].some((entry) => entry.worker === worker);
    if (!owes) worker.unref();
  }

  /**
   * Decodes and prepares files, in order; with slots (one per file), each
   * model input is written into its slot and `data` is a view of it.
   */
  async prepareAll(files: readonly string[], slots?: readonly Slot[]): Promise<Prepared[]> {
    if (this.closed) return files.map((file) => ({ file, notes: [], error: `${file}: decode pool is closed` }));
    const share = Math.ceil(files.length / this.workers.length);
    const parts: Promise<readonly Prepared[]>[] = [];
    for (let from = 0; from < files.length; from += share) {
      const worker = this.workers[this.turn++ % this.workers.length]!;
      const id = this.nextId++;
      const request: PrepareRequest = { id, files: files.slice(from, from + share), ...(slots ? { slots: slots.slice(from, from + share) } : {}) };
      parts.push(
        new Promise((resolve) => {
          this.pending.set(id, { files: request.files, resolve, worker });
          worker.ref();
          worker.postMessage(request);
        }),
      );
    }
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const IDLE_MS = 30_000;
const shared = new Map<string, { pool: PreparePool; users: number; timer?: NodeJS.Timeout }>();

/**
 * A pool shared by calls with the same manifest, limits and size, since
 * starting workers (loading sharp; compiling, under tsx) costs a few hundred
 * milliseconds. Call the returned release when done; the pool closes after
 * IDLE_MS without users.
 */
export function acquirePool(manifest: Manifest, limits: DecodeLimits, size: number): { pool: PreparePool; release: () => void } {
  const key = JSON.stringify([manifest, limits, size]);
  let entry = shared.get(key);
  if (!entry) {
    entry = { pool: new PreparePool({ manifest, limits }, size), users: 0 };
    shared.set(key, entry);
  }
  const held = entry;
  clearTimeout(held.timer);
  held.users++;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    if (--held.users > 0) return;
    held.timer = setTimeout(() => {
      shared.delete(key);
      void held.pool.close();
    }, IDLE_MS);
    held.timer.unref();
  };
  return { pool: held.pool, release };
}

/** Closes every shared pool now (tests, extension deactivation). */
export async function releasePools(): Promise<void> {
  const entries = [...shared.values()];
  shared.clear();
  for (const entry of entries) clearTimeout(entry.timer);
  await Promise.all(entries.map((e) => e.pool.close()));
}

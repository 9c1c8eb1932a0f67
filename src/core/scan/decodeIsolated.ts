import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ScanLensError } from '../errors';
import type { DecodeJob, DecodeReply, DecodeResult } from './decodeJob';
import { DEFAULT_DECODE_SECONDS, DEFAULT_LIMITS } from './limits';

/**
 * Runs decode jobs in one worker thread with a heap cap and a time limit, so
 * a hostile file can exhaust or hang only the worker: it is terminated, the
 * caller gets a one-line error, and the next job starts a fresh worker.
 * Jobs run one at a time; an idle worker does not keep the process alive.
 */

function workerEntry(): { code: string; eval: boolean } {
  // Bundled: dist/decodeWorker.js sits next to dist/cli.js and dist/commands.js.
  const bundled = join(__dirname, 'decodeWorker.js');
  if (existsSync(bundled)) return { code: bundled, eval: false };
  // From source (tests under tsx): Node 20 workers ignore --import hooks for their entry, so register tsx's require hook first.
  const source = join(__dirname, 'decodeWorker.ts');
  const at = JSON.stringify(source);
  return { code: `require('node:module').createRequire(${at})('tsx/cjs/api').register(); require(${at});`, eval: true };
}

let idle: { worker: Worker; heapMb: number } | undefined;
let queue: Promise<unknown> = Promise.resolve();

function startWorker(heapMb: number): Worker {
  const entry = workerEntry();
  return new Worker(entry.code, {
    eval: entry.eval,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, heapMb / 8)) },
  });
}

function jobFile(job: DecodeJob): string {
  return job.kind === 'series' ? job.label : job.path;
}

/** Reading a header is small work: a file whose header takes longer is hostile, and stays single. */
const HEADER_SECONDS = 5;

/** Copies the input bytes into their own buffer so they can move to the worker without detaching a shared pool. */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
}

/**
 * The time a decode may take. Unless set explicitly, a single file gets 10 s
 * plus 2 s per MB (at most the default): a small file that spins a codec (a
 * fuzzed JPEG-LS frame held CharLS for a minute) must not stall a batch.
 */
export function decodeSeconds(job: DecodeJob): number {
  if (job.limits.maxDecodeSeconds !== undefined) return job.limits.maxDecodeSeconds;
  if (job.kind === 'header') return HEADER_SECONDS;
  if (job.kind !== 'file') return DEFAULT_DECODE_SECONDS;
  return Math.min(DEFAULT_DECODE_SECONDS, 10 + (2 * job.bytes.byteLength) / (1024 * 1024));
}

function runOne<J extends DecodeJob>(job: J): Promise<DecodeResult<J>> {
  const seconds = decodeSeconds(job);
  const heapMb = job.limits.maxDecodeHeapMb ?? DEFAULT_LIMITS.maxDecodeHeapMb!;
  const file = jobFile(job);
  const reuse = idle?.heapMb === heapMb ? idle.worker : undefined;
  if (!reuse) void idle?.worker.terminate();
  idle = undefined;
  const worker = reuse ?? startWorker(heapMb);
  worker.ref();
  return new Promise<DecodeResult<J>>((resolve, reject) => {
    const finish = (keep: boolean) => {
      clearTimeout(timer);
      worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
      if (keep) {
        worker.unref();
        idle = { worker, heapMb };
      } else void worker.terminate();
    };
    const timer = setTimeout(() => {
      finish(false);
      reject(new ScanLensError(`decoding took longer than ${Number(seconds.toPrecision(3))} s and was stopped`, file));
    }, seconds * 1000);
    worker.on('message', (reply: DecodeReply) => {
      finish(true);
      if (reply.ok) resolve(reply.result as DecodeResult<J>);
      else reject(new ScanLensError(reply.reason, reply.file ?? file));
    });
    worker.on('error', (error: NodeJS.ErrnoException) => {
      finish(false);
      const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `decoding needed more than its ${heapMb} MB memory cap and was stopped` : `decoder failed (${error.message})`;
      reject(new ScanLensError(reason, file));
    });
    worker.on('exit', (code) => {
      finish(false);
      reject(new ScanLensError(`decoder stopped unexpectedly (exit code ${code})`, file));
    });
    const transfer = job.kind === 'file' ? { ...job, bytes: ownBytes(job.bytes) } : job;
    worker.postMessage(transfer, transfer.kind === 'file' ? [transfer.bytes.buffer as ArrayBuffer] : []);
  });
}

/** Runs a job in the worker, after any job already running there. */
export function decodeIsolated<J extends DecodeJob>(job: J): Promise<DecodeResult<J>> {
  const result = queue.then(() => runOne(job));
  queue = result.catch(() => undefined);
  return result;
}

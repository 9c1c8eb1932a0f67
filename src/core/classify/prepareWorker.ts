/**
 * Worker-thread entry (bundled as dist/prepareWorker.js): decodes and prepares
 * files for the main thread, whose event loop is blocked while onnxruntime
 * runs a batch. The model input is written into the request's slot of a
 * shared batch buffer when it has one, else its buffer is transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Manifest } from '../model/manifest';
import type { DecodeLimits } from '../scan/limits';
import { prepareFile, type Prepared } from './prepareFile';

/** Where in a shared batch buffer one file's model input goes, in float32 elements. */
export interface Slot {
  readonly buffer: SharedArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

/** A worker's share of a batch: one message each way, since every message wakes a thread. */
export interface PrepareRequest {
  readonly id: number;
  readonly files: readonly string[];
  /** One per file, when the inputs go into a shared batch buffer. */
  readonly slots?: readonly Slot[];
}

export interface PrepareReply {
  readonly id: number;
  readonly prepared: readonly Prepared[];
}

export interface PrepareSetup {
  readonly manifest: Manifest;
  readonly limits: DecodeLimits;
}

const { manifest, limits } = workerData as PrepareSetup;

async function prepareAll({ files, slots }: PrepareRequest): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const [i, file] of files.entries()) {
    const slot = slots?.[i];
    const out = slot ? new Float32Array(slot.buffer, slot.offset * Float32Array.BYTES_PER_ELEMENT, slot.length) : undefined;
    // Blocking reads: this thread has nothing else to do, and the thread pool's round trips would take CPU from inference.
    prepared.push(await prepareFile(manifest, file, limits, { blockingRead: true }, out));
  }
  return prepared;
}

parentPort?.on('message', (request: PrepareRequest) => {
  void prepareAll(request).then((prepared) => {
    // Views of a shared buffer are sent as views of the same memory; buffers of our own move.
    const transfer = request.slots ? [] : prepared.flatMap((p) => (p.data ? [p.data.buffer as ArrayBuffer] : []));
    parentPort!.postMessage({ id: request.id, prepared } satisfies PrepareReply, transfer);
  });
});

/**
 * Worker-thread entry (bundled as dist/prepareWorker.js): decodes and prepares
 * files for the main thread, whose event loop is blocked while onnxruntime
 * runs a batch. The model input is written into the request's slot of a
 * shared batch buffer when it has one, else its buffer is transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Manifest } from '../model/manifest';
import type { DecodeLimits } from '../scan/limits';
import { prepareFile } from './prepareFile';

/** Where in a shared batch buffer one file's model input goes, in float32 elements. */
export interface Slot {
  readonly buffer: SharedArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

export interface PrepareRequest {
  readonly id: number;
  readonly file: string;
  readonly slot?: Slot;
}

export interface PrepareSetup {
  readonly manifest: Manifest;
  readonly limits: DecodeLimits;
}

const { manifest, limits } = workerData as PrepareSetup;

parentPort?.on('message', (request: PrepareRequest) => {
  // Blocking reads: this thread has nothing else to do, and the thread pool's round trips would take CPU from inference.
  const { slot } = request;
  const out = slot ? new Float32Array(slot.buffer, slot.offset * Float32Array.BYTES_PER_ELEMENT, slot.length) : undefined;
  void prepareFile(manifest, request.file, limits, { blockingRead: true }, out).then((prepared) => {
    // A view of a shared buffer is sent as a view of the same memory; a buffer of our own moves.
    const transfer = prepared.data && !slot ? [prepared.data.buffer as ArrayBuffer] : [];
    parentPort!.postMessage({ id: request.id, prepared }, transfer);
  });
});

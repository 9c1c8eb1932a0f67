/**
 * Worker-thread entry (bundled as dist/prepareWorker.js): decodes and prepares
 * files for the main thread, whose event loop is blocked while onnxruntime
 * runs a batch. The tensor's buffer is transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Manifest } from '../model/manifest';
import type { DecodeLimits } from '../scan/limits';
import { prepareFile } from './prepareFile';

export interface PrepareRequest {
  readonly id: number;
  readonly file: string;
}

export interface PrepareSetup {
  readonly manifest: Manifest;
  readonly limits: DecodeLimits;
}

const { manifest, limits } = workerData as PrepareSetup;

parentPort?.on('message', (request: PrepareRequest) => {
  // Blocking reads: this thread has nothing else to do, and the thread pool's round trips would take CPU from inference.
  void prepareFile(manifest, request.file, limits, { blockingRead: true }).then((prepared) => {
    const transfer = prepared.data ? [prepared.data.buffer as ArrayBuffer] : [];
    parentPort!.postMessage({ id: request.id, prepared }, transfer);
  });
});

// Entry point of the decoding worker (bundled as dist/decodeWorker.js): decodes
// untrusted DICOM and NIfTI away from the caller's thread, under a heap cap.
import { parentPort } from 'node:worker_threads';
import { replyOf, runDecodeJob, type DecodeJob, type DecodeReply } from './decodeJob';
import type { Scan } from './scan';

/** The voxels' buffer moves to the caller instead of being copied, when it is the voxels' own. */
function transferable(scan: Scan): ArrayBuffer[] {
  const { buffer, byteOffset, byteLength } = scan.voxels;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? [buffer] : [];
}

parentPort?.on('message', (job: DecodeJob) => {
  runDecodeJob(job).then(
    (scan) => parentPort!.postMessage({ ok: true, scan } satisfies DecodeReply, transferable(scan)),
    (error: unknown) => parentPort!.postMessage(replyOf(error)),
  );
});

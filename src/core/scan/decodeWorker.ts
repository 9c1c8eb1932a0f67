// Entry point of the decoding worker (bundled as dist/decodeWorker.js): decodes
// untrusted DICOM and NIfTI away from the caller's thread, under a heap cap.
import { parentPort } from 'node:worker_threads';
import { replyOf, runDecodeJob, type DecodeJob, type DecodeReply } from './decodeJob';
import type { SliceTags } from './dicomSeries';
import type { Scan } from './scan';

/** A scan's voxel buffer moves to the caller instead of being copied, when it is the voxels' own. */
function transferable(result: Scan | SliceTags | undefined): ArrayBuffer[] {
  if (!result || !('voxels' in result)) return [];
  const { buffer, byteOffset, byteLength } = result.voxels;
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? [buffer] : [];
}

parentPort?.on('message', (job: DecodeJob) => {
  runDecodeJob(job).then(
    (result) => parentPort!.postMessage({ ok: true, result } satisfies DecodeReply, transferable(result)),
    (error: unknown) => parentPort!.postMessage(replyOf(error)),
  );
});

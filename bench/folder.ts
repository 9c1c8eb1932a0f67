/** Folder throughput: ScanLens' batch pipeline against plain onnxruntime, measured in alternation. */
import { classifyFiles } from '../src/core/classify/classify';
import { defaultWorkers } from '../src/core/classify/preparePool';
import { defaultThreads, loadModel, type LoadedModel } from '../src/core/model/loadModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { loadScan } from '../src/core/scan/loadScan';
import { ortOnTensors, plainDecodeLoop, plainSession } from './plainOrt';
import { interleavedMedians, timeMedian } from './stats';

export interface FolderResult {
  readonly images: number;
  readonly settings: Record<string, unknown>;
  readonly total_ms: Record<string, number>;
  readonly images_per_s: Record<string, number>;
}

async function drain(model: LoadedModel, files: readonly string[], options: { batchSize: number; workers: number }): Promise<void> {
  for await (const row of classifyFiles(model, files, options)) if (row.error) throw new Error(row.error);
}

/** The pipeline as `scanlens classify` runs a large folder: decode workers beside inference on every core. */
export async function folderThroughput(modelPath: string, files: readonly string[], threads: number, batch: number, rounds: number): Promise<FolderResult> {
  const workers = defaultWorkers();
  const pipelined = await loadModel(modelPath, { threads: defaultThreads() });
  const inThread = await loadModel(modelPath, { threads });
  // With one inference thread the decode worker has a core to itself: the pipeline's overlap, measured apart from the fight for cores.
  const oneThread = await loadModel(modelPath, { threads: 1 });
  const tensors = await Promise.all(files.slice(0, 12).map(async (f) => (await prepareInput(await loadScan(f), inThread.manifest)).data));
  // The baselines get their best setting: on a busy or small machine one thread can beat two, and of the ways of waiting (spinning or not) whichever is fastest.
  const plain = await plainSession(inThread.onnxPath, threads);
  const plainNoSpin = await plainSession(inThread.onnxPath, threads, 'never');
  const plainOne = await plainSession(inThread.onnxPath, 1);
  const total = await interleavedMedians(
    rounds,
    {
      scanlens: () => drain(pipelined, files, { batchSize: batch, workers }),
      scanlens_in_thread_decode: () => drain(inThread, files, { batchSize: batch, workers: 0 }),
      scanlens_one_inference_thread: () => drain(oneThread, files, { batchSize: batch, workers }),
      [`ort_ready_tensors_${threads}_threads`]: () => ortOnTensors(plain, inThread, tensors, files.length, batch),
      [`ort_ready_tensors_${threads}_threads_no_spin`]: () => ortOnTensors(plainNoSpin, inThread, tensors, files.length, batch),
      ort_ready_tensors_1_thread: () => ortOnTensors(plainOne, inThread, tensors, files.length, batch),
      [`plain_decode_ort_loop_${threads}_threads`]: () => plainDecodeLoop(plain, inThread, files, batch),
      plain_decode_ort_loop_1_thread: () => plainDecodeLoop(plainOne, inThread, files, batch),
    },
    1,
  );
  await Promise.all([pipelined.session.release(), oneThread.session.release(), plain.release(), plainNoSpin.release(), plainOne.release()]);
  // onnxruntime's default, spinning on after each run: timed apart, after everything else, since its idle threads spin into whatever runs next.
  const plainSpinning = await plainSession(inThread.onnxPath, threads, 'always');
  total[`ort_ready_tensors_${threads}_threads_spinning`] = await timeMedian(rounds, () => ortOnTensors(plainSpinning, inThread, tensors, files.length, batch), 1);
  await Promise.all([plainSpinning.release(), inThread.session.release()]);
  const best = (prefix: string): number =>
    Math.min(
      ...Object.entries(total)
        .filter(([k]) => k.startsWith(prefix))
        .map(([, ms]) => ms),
    );
  const totals = { ...total, ort_ready_tensors: best('ort_ready_tensors_'), plain_decode_ort_loop: best('plain_decode_ort_loop_') };
  return {
    images: files.length,
    settings: { batch, workers, pipeline_threads: pipelined.threads, in_thread_threads: threads, baseline_threads: [1, threads] },
    total_ms: totals,
    images_per_s: Object.fromEntries(Object.entries(totals).map(([k, ms]) => [k, (files.length / ms) * 1000])),
  };
}

export function folderRatios(folder: FolderResult): { batch_throughput_vs_ort: number; batch_throughput_vs_plain_decode_loop: number; one_inference_thread_vs_ort_one_thread: number } {
  const ips = folder.images_per_s;
  return {
    batch_throughput_vs_ort: ips.scanlens! / ips.ort_ready_tensors!,
    batch_throughput_vs_plain_decode_loop: ips.scanlens! / ips.plain_decode_ort_loop!,
    one_inference_thread_vs_ort_one_thread: ips.scanlens_one_inference_thread! / ips.ort_ready_tensors_1_thread!,
  };
}

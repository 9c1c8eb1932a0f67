import { CAM_REGISTRY } from '../core/explain/methods/registry';
import type { ExplainFlags } from './explainCommand';
import { progressReporter } from './progress';

/**
 * Runs an explanation with the options every `scanlens explain` takes from its
 * flags (method, class, layer, smoothing, threads, a blocking read). Methods
 * that run the model once per channel or patch report progress on stderr, and
 * Ctrl-C stops them between batches, before anything is written.
 */
export async function runExplain<T>(flags: ExplainFlags, classIndex: number | undefined, job: (options: ReturnType<typeof explainOptions>) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    return await job(explainOptions(flags, classIndex, controller.signal));
  } finally {
    process.off('SIGINT', stop);
  }
}

function explainOptions(flags: ExplainFlags, classIndex: number | undefined, signal: AbortSignal) {
  return {
    method: flags.method,
    classIndex,
    layer: flags.layer,
    eigenSmooth: flags.eigenSmooth,
    augSmooth: flags.augSmooth,
    threads: flags.threads,
    load: { blockingRead: true },
    signal,
    onProgress: CAM_REGISTRY[flags.method].needs === 'gradients' ? undefined : progressReporter(flags.method),
  };
}

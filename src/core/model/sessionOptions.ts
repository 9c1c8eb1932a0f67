import type { InferenceSession } from 'onnxruntime-node';

/**
 * The options every ScanLens session is created with: the chosen provider and
 * thread count, one operator at a time, and threads that spin-wait during a
 * run but stop the moment it returns. Spinning between an operator's parallel
 * sections saves the wake-ups (ResNet-18: 9.0 → 8.6 ms); left spinning after
 * a run, idle threads keep a core busy for ~35 ms, which doubled the next
 * inference's time and takes the cores decoding needs (npm run bench).
 */
export function sessionOptions(provider: string, threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: '1' }, force_spinning_stop: '1' } },
  };
}

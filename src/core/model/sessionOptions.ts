import type { InferenceSession } from 'onnxruntime-node';

/**
 * The options every ScanLens session is created with: the chosen provider and
 * thread count, one operator at a time, and no spin-waiting. Idle spinning
 * threads keep a core busy for ~35 ms after each run, which doubled the next
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
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

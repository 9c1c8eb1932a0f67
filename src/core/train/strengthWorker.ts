import { parentPort } from 'node:worker_threads';
import { foldScores } from './chooseStrength';

/** One cross-validation fold to score, with the whole training set. */
export interface FoldRequest {
  readonly features: Float32Array;
  readonly dimensions: number;
  readonly labels: Int32Array;
  readonly classes: number;
  readonly fold: Int32Array;
  readonly k: number;
}

export type FoldReply = { readonly scores: number[] } | { readonly error: string };

parentPort?.on('message', async (request: FoldRequest) => {
  try {
    const { features, dimensions, labels, classes, fold, k } = request;
    parentPort!.postMessage({ scores: await foldScores({ features, dimensions, labels, classes }, fold, k) } satisfies FoldReply);
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies FoldReply);
  }
});

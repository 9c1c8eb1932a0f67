import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ScanLensError } from '../errors';
import { getModel } from '../model/modelCache';
import { openAnomalib } from './anomalib/openAnomalib';
import { MANIFEST_FILE } from './detectorFile';
import { openDetector } from './openDetector';
import { finiteScorer, type AnomalyScorer, type ScorerOptions } from './scorer';
import { openReconstruction } from './reconstruction/openReconstruction';

/**
 * A detector folder (or its detector.json) is a fitted detector; a model with
 * task 'reconstruction' scores by reconstruction error; any other model must
 * be anomalib-shaped. Whatever the kind, a result with a NaN or infinite
 * score or map is an error (finiteScorer), never a verdict.
 */
export async function openScorer(path: string, options: ScorerOptions & { threshold?: number } = {}): Promise<AnomalyScorer> {
  return finiteScorer(await openAnyScorer(path, options));
}

async function openAnyScorer(path: string, options: ScorerOptions & { threshold?: number }): Promise<AnomalyScorer> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ScanLensError('detector not found', path);
  const isDetector = info.isDirectory()
    ? await stat(join(path, MANIFEST_FILE)).then(
        () => true,
        () => false,
      )
    : basename(path) === MANIFEST_FILE;
  if (isDetector) return openDetector(path, options);
  const model = await getModel(path, { threads: options.threads, provider: options.provider });
  return model.manifest.task === 'reconstruction' ? openReconstruction(model, options.threshold) : openAnomalib(path, options);
}

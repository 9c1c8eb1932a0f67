import { basename } from 'node:path';
import { ScanLensError, aboutFile, oneLine } from '../errors';
import { SCANLENS_VERSION } from '../version';
import type { FeatureDetector } from './detector';
import { MANIFEST_FILE, detectorManifestPath, loadDetector, saveDetector } from './detectorFile';
import { DETECTOR_KINDS } from './detectorKinds';
import type { DetectorManifest } from './detectorManifest';
import { percentileThreshold, splitNormals } from './fitDetector';
import { detectorFeatures } from './openDetector';
import { prepareSlice } from './prepareSlice';
import { scoreFile } from './scoreInput';
import type { ScorerOptions } from './scorer';

export interface AddOptions extends ScorerOptions {
  /** PatchCore: the bank's size after re-condensing (default: its size now). */
  readonly bankSize?: number;
  readonly onFile?: (file: string, phase: 'fit' | 'calibrate') => void;
}

/** A detector with new normal scans folded in, in memory: saveAdded writes it over the old one. */
export interface AddedNormals {
  readonly folder: string;
  readonly manifestPath: string;
  readonly previous: DetectorManifest;
  /** detector.json as saving writes it, less the arrays and parameters, which the detector gives. */
  readonly manifest: Omit<DetectorManifest, 'arrays' | 'parameters'>;
  readonly detector: FeatureDetector;
  /** Scans folded into the detector (the held-out ones are not). */
  readonly added: number;
  readonly failed: { file: string; error: string }[];
  readonly calibrationScores: number[];
}

/**
 * Folds new normal scans into a fitted detector, split as fitting splits its
 * scans (every fifth held out). PaDiM goes on from its running statistics, so
 * fitting on A and adding B equals fitting on A then B (A a multiple of five
 * scans, as the split then agrees); PatchCore re-condenses its bank with the
 * new patches. The threshold is set again as fitting sets it: the detector's
 * percentile of the new held-out normals' scores, under the updated detector.
 */
export async function addNormals(path: string, files: readonly string[], options: AddOptions = {}): Promise<AddedNormals> {
  const manifestPath = await detectorManifestPath(path);
  if (basename(manifestPath) !== MANIFEST_FILE) throw new ScanLensError(`is not a detector made by anomaly fit (a folder with ${MANIFEST_FILE}): only those can take new scans`, path);
  const loaded = await loadDetector(manifestPath);
  const previous = loaded.manifest;
  const { grid, channels, seed } = previous.features;
  // Before any scan is read: a detector that cannot be continued is one line.
  const fitter = DETECTOR_KINDS[previous.method].resume(loaded.detector, { positions: grid.width * grid.height, channels: channels.length, seed, bankSize: options.bankSize }, manifestPath);
  const { fit, calibrate } = splitNormals(files);
  const features = await detectorFeatures(loaded, options);
  const failed: { file: string; error: string }[] = [];
  const fail = (file: string, error: unknown): void => void failed.push({ file, error: oneLine(aboutFile(file, error)) });

  let added = 0;
  for (const file of fit) {
    options.onFile?.(file, 'fit');
    try {
      const input = (await prepareSlice(file, features.model.manifest)).data;
      fitter.add((await features.extract(input)).data);
      added++;
    } catch (error) {
      fail(file, error);
    }
  }
  if (added === 0) throw new ScanLensError(`none of the ${fit.length} scans to add could be read`);
  const detector = fitter.finish();

  const calibrationScores: number[] = [];
  for (const file of calibrate) {
    options.onFile?.(file, 'calibrate');
    try {
      calibrationScores.push((await scoreFile(file, features, detector, previous.map.sigma)).score);
    } catch (error) {
      fail(file, error);
    }
  }
  if (calibrationScores.length === 0) throw new ScanLensError('none of the held-out normal scans could be scored to set the threshold again');
  const { arrays: _arrays, parameters: _parameters, ...kept } = previous;
  const manifest: AddedNormals['manifest'] = {
    ...kept,
    scanlens: SCANLENS_VERSION,
    threshold: percentileThreshold(calibrationScores, previous.threshold.percentile),
    training: {
      images: previous.training.images + added,
      failed: previous.training.failed + failed.length,
      added: (previous.training.added ?? 0) + added,
    },
  };
  return { folder: loaded.folder, manifestPath, previous, manifest, detector, added, failed, calibrationScores };
}

/** Writes the updated detector over the old one: the arrays, then detector.json (each atomically). */
export function saveAdded(added: AddedNormals): Promise<DetectorManifest> {
  return saveDetector(added.folder, added.manifest, added.detector);
}

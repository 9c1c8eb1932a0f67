import { join } from 'node:path';
import { ScanLensError, aboutFile, oneLine } from '../errors';
import { random } from '../explain/seededRandom';
import type { LoadedModel } from '../model/loadModel';
import { percentiles } from '../preprocess/percentile';
import { SCANLENS_VERSION } from '../version';
import { DEFAULT_SIGMA } from './anomalyMap';
import type { FeatureDetector, FeatureFitter, Method } from './detector';
import { backbonePlacement, bundleBackbone } from './bundleBackbone';
import { MAX_ARRAY_BYTES, MAX_BANK_VALUES, MAX_FEATURE_VALUES, detectorFileNames, saveDetector } from './detectorFile';
import { packedLength } from './linalg';
import type { FitRequest } from './detectorKind';
import { DETECTOR_KINDS } from './detectorKinds';
import { DEFAULT_CORESET } from './patchcore/patchcoreFitter';
import type { DetectorManifest } from './detectorManifest';
import { BackboneFeatures, type FeatureSpec } from './features/backboneFeatures';
import { checkLayers, defaultLayers } from './features/defaultLayers';
import { prepareSlice } from './prepareSlice';
import { scoreFile } from './scoreInput';

export interface FitOptions {
  readonly method: Method;
  /** Placed inside the detector folder (see bundleBackbone) and recorded relative to it. */
  readonly backbone: LoadedModel;
  readonly out: string;
  readonly layers?: readonly string[];
  /** Channels kept (a seeded random subset of all layers' channels); default the method's (see DetectorKind.features). */
  readonly channels?: number;
  /** Common feature grid; default the method's (the deepest layer's for PaDiM, the shallowest's for PatchCore). */
  readonly grid?: { width: number; height: number };
  /** Neighbourhood each map is averaged over before resizing; default the method's (3 for PatchCore, 1 for PaDiM). */
  readonly neighbourhood?: number;
  /** PatchCore: the memory bank as this fraction of all training patches (unless bankSize is given). */
  readonly coreset?: number;
  readonly seed: number;
  /** Threshold = this percentile of the held-out normal scores. */
  readonly percentile: number;
  readonly sigma?: number;
  readonly epsilon?: number;
  readonly bankSize?: number;
  readonly threads?: number;
  /** Derived-model cache folder (default: the user's cache). */
  readonly cacheDir?: string;
  readonly onFile?: (file: string, phase: 'fit' | 'calibrate') => void;
}

export interface FitResult {
  readonly manifest: DetectorManifest;
  readonly failed: { file: string; error: string }[];
  readonly calibrationScores: number[];
}

/** Every fifth file calibrates the threshold; the rest fit. Needs 5 files at least. */
export function splitNormals(files: readonly string[]): { fit: string[]; calibrate: string[] } {
  if (files.length < 5) throw new ScanLensError(`need at least 5 normal scans (4 to fit, 1 to calibrate the threshold), found ${files.length}`);
  return { fit: files.filter((_, i) => i % 5 !== 4), calibrate: files.filter((_, i) => i % 5 === 4) };
}

/** k distinct indices out of n, sorted, from a seeded partial Fisher–Yates shuffle. */
export function pickChannels(n: number, k: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const next = random(seed);
  const count = Math.min(n, k);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (n - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}

/** What a fitter may hold while fitting (PaDiM's sums grow with grid and channels²): larger fits are refused up front. */
const MAX_FIT_BYTES = 1024 ** 3;

function checkMemory(method: Method, request: FitRequest, grid: { width: number; height: number }): void {
  // The limits loadDetector holds a detector file to, so a fit never writes a detector that cannot be opened.
  if (request.positions * request.channels > MAX_FEATURE_VALUES) {
    throw new ScanLensError(
      `${request.channels} channels on a ${grid.width}×${grid.height} grid is ${request.positions * request.channels} feature values per image, over the limit of ${MAX_FEATURE_VALUES}; use fewer --channels or a coarser --grid`,
    );
  }
  if (method === 'patchcore' && (request.bankSize ?? 0) * request.channels > MAX_BANK_VALUES) {
    throw new ScanLensError(`a memory bank of ${request.bankSize} rows of ${request.channels} channels is over the limit of ${MAX_BANK_VALUES} values; use a smaller --bank-size or fewer --channels`);
  }
  const bytes = DETECTOR_KINDS[method].fitBytes(request);
  if (bytes > MAX_FIT_BYTES) {
    throw new ScanLensError(`${method} with ${request.channels} channels on a ${grid.width}×${grid.height} grid needs ${(bytes / 1024 ** 3).toFixed(1)} GB; use fewer --channels or a coarser --grid`);
  }
  // The detector file keeps PaDiM's running statistics for anomaly add: one float64 array the fitter's size.
  const running = request.positions * packedLength(request.channels) * 8;
  if (method === 'padim' && running > MAX_ARRAY_BYTES) {
    throw new ScanLensError(
      `PaDiM with ${request.channels} channels on a ${grid.width}×${grid.height} grid keeps ${(running / 1024 ** 2).toFixed(0)} MiB of running statistics, over the detector file's ${MAX_ARRAY_BYTES / 1024 ** 2} MiB array limit; use fewer --channels or a coarser --grid`,
    );
  }
}

/** The threshold as fitting sets it: this percentile of the held-out normals' scores, with what they were. */
export function percentileThreshold(calibrationScores: readonly number[], percentile: number): DetectorManifest['threshold'] {
  const [value] = percentiles(Float32Array.from(calibrationScores), [percentile]);
  return {
    value: value!,
    percentile,
    calibration: {
      images: calibrationScores.length,
      min: Math.min(...calibrationScores),
      max: Math.max(...calibrationScores),
      mean: calibrationScores.reduce((a, b) => a + b, 0) / calibrationScores.length,
      scores: [...calibrationScores].sort((a, b) => a - b),
    },
  };
}

/** A detector fitted in memory: ready to score, and to be written as a detector folder. */
export interface FittedDetector {
  readonly backbone: LoadedModel;
  readonly features: BackboneFeatures;
  readonly detector: FeatureDetector;
  /** Everything of detector.json but where the backbone lies and the arrays' files, which only saving decides. */
  readonly manifest: Omit<DetectorManifest, 'arrays' | 'parameters' | 'backbone'> & { readonly backbone: Omit<DetectorManifest['backbone'], 'path'> };
  readonly failed: { file: string; error: string }[];
  readonly calibrationScores: number[];
}

/**
 * Fits a detector from normal scans, streaming: each image's features are
 * folded into the fitter and dropped. A file that fails is reported and
 * skipped. The threshold is a percentile of the held-out normals' scores.
 * Nothing is written: saveFitted writes the folder.
 */
export async function fitInMemory(files: readonly string[], options: Omit<FitOptions, 'out'>): Promise<FittedDetector> {
  const { fit, calibrate } = splitNormals(files);
  const { backbone } = options;
  if (options.layers) await checkLayers(backbone, options.layers);
  const layers = options.layers ?? (await defaultLayers(backbone));
  const failed: { file: string; error: string }[] = [];
  const fail = (file: string, error: unknown): void => void failed.push({ file, error: oneLine(aboutFile(file, error)) });

  let features: BackboneFeatures | undefined;
  let fitter: FeatureFitter | undefined;
  for (const file of fit) {
    options.onFile?.(file, 'fit');
    let input: Float32Array;
    try {
      input = (await prepareSlice(file, backbone.manifest)).data;
    } catch (error) {
      fail(file, error);
      continue;
    }
    if (!features || !fitter) {
      // The first image fixes the grid and channel subset from the layers' real shapes.
      const probe = BackboneFeatures.open(backbone, { layers, grid: { width: 1, height: 1 }, channels: [0] }, { threads: options.threads, cacheDir: options.cacheDir });
      const maps = await probe.layerMaps(input);
      const kind = DETECTOR_KINDS[options.method].features;
      const gridMap = kind.grid === 'deepest' ? maps.at(-1)! : maps[0]!;
      const grid = options.grid ?? { width: gridMap.width, height: gridMap.height };
      const total = maps.reduce((sum, m) => sum + m.channels, 0);
      const neighbourhood = options.neighbourhood ?? kind.neighbourhood;
      if (neighbourhood < 1 || neighbourhood % 2 !== 1) throw new ScanLensError(`the feature neighbourhood must be an odd number of positions, got ${neighbourhood}`);
      const channels = pickChannels(total, options.channels ?? kind.channels ?? total, options.seed);
      const spec: FeatureSpec = { layers, grid, channels, ...(neighbourhood > 1 ? { neighbourhood } : {}) };
      features = BackboneFeatures.open(backbone, spec, { threads: options.threads, cacheDir: options.cacheDir });
      const positions = grid.width * grid.height;
      const patches = positions * fit.length;
      const coreset = options.coreset ?? DEFAULT_CORESET;
      if (!(coreset > 0 && coreset <= 0.5)) throw new ScanLensError(`the coreset fraction must be above 0 and at most 0.5, got ${coreset}`);
      const bankSize = options.bankSize ?? (options.method === 'patchcore' ? Math.max(1, Math.ceil(coreset * patches)) : undefined);
      const request: FitRequest = { positions, channels: channels.length, seed: options.seed, epsilon: options.epsilon, bankSize, patches };
      checkMemory(options.method, request, grid);
      fitter = DETECTOR_KINDS[options.method].createFitter(request);
    }
    fitter.add((await features.extract(input)).data);
  }
  if (!features || !fitter) throw new ScanLensError(`none of the ${fit.length} training scans could be read`);
  const detector = fitter.finish();
  const sigma = options.sigma ?? DEFAULT_SIGMA;

  const calibrationScores: number[] = [];
  for (const file of calibrate) {
    options.onFile?.(file, 'calibrate');
    try {
      calibrationScores.push((await scoreFile(file, features, detector, sigma)).score);
    } catch (error) {
      fail(file, error);
    }
  }
  if (calibrationScores.length === 0) throw new ScanLensError('none of the held-out normal scans could be scored to calibrate the threshold');
  const manifest: FittedDetector['manifest'] = {
    schema: 'scanlens.detector/1',
    method: options.method,
    scanlens: SCANLENS_VERSION,
    backbone: { name: backbone.manifest.name, sha256: backbone.sha256 },
    features: { ...features.spec, layers: [...features.spec.layers], channels: [...features.spec.channels], seed: options.seed },
    map: { sigma },
    threshold: percentileThreshold(calibrationScores, options.percentile),
    training: { images: fitter.count, failed: failed.length },
  };
  return { backbone, features, detector, manifest, failed, calibrationScores };
}

/** Every file saveFitted writes into `out` (absolute when `out` is): arrays, detector.json, and the bundled backbone. */
export async function fittedFiles(fitted: FittedDetector, out: string): Promise<string[]> {
  const { copies } = await backbonePlacement(fitted.backbone, out);
  return [...copies.map((c) => c.to), ...detectorFileNames(fitted.detector).map((name) => join(out, name))];
}

/** Writes a fitted detector as a folder: its backbone bundled, the arrays, then detector.json (each atomically). */
export async function saveFitted(fitted: FittedDetector, out: string): Promise<DetectorManifest> {
  const backbonePath = await bundleBackbone(fitted.backbone, out);
  return saveDetector(out, { ...fitted.manifest, backbone: { ...fitted.manifest.backbone, path: backbonePath.split('\\').join('/') } }, fitted.detector);
}

/** fitInMemory, then saveFitted to `options.out`. */
export async function fitDetector(files: readonly string[], options: FitOptions): Promise<FitResult> {
  const fitted = await fitInMemory(files, options);
  const manifest = await saveFitted(fitted, options.out);
  return { manifest, failed: fitted.failed, calibrationScores: fitted.calibrationScores };
}

/**
 * The `anomaly` verb as one job — fit, add, score, eval, threshold — for every surface: the
 * command line and the notebook present what these functions return, so
 * their numbers are the same by construction. Paths come in resolved by the
 * caller (the notebook: absolute; the command line: as typed) and go out as
 * they came in; results are typed rows and metrics, never text.
 */
import { basename } from 'node:path';
import { addNormals, saveAdded } from '../anomaly/addNormals';
import { chooseThreshold, type ThresholdRule } from '../anomaly/chooseThreshold';
import { MANIFEST_FILE, detectorManifestPath, loadDetector } from '../anomaly/detectorFile';
import { evaluate, type Evaluation } from '../anomaly/evaluation';
import { fittedFiles, fitInMemory, saveFitted, type FitOptions, type FittedDetector } from '../anomaly/fitDetector';
import { anomalyHeat } from '../anomaly/heatmap';
import { featureScorer } from '../anomaly/openDetector';
import { openScorer } from '../anomaly/openScorer';
import { scoreVolumeSlices } from '../anomaly/volumeScores';
import { maskSlice, openMaskFolder, type MaskFolder } from '../anomaly/pixelMasks';
import { PixelMetricsAccumulator, type PixelMetrics } from '../anomaly/pixelMetrics';
import { finiteScorer, type AnomalyResult, type AnomalyScorer, type ScorerOptions } from '../anomaly/scorer';
import type { DetectorManifest } from '../anomaly/detectorManifest';
import { ScanLensError, aboutFile, oneLine } from '../errors';
import type { Image2D } from '../image';
import { writeFileAtomic } from '../io/atomicWrite';
import { rocCurve } from '../metrics/rocAuc';
import { unitSlice } from '../preprocess/intensity';
import { mapToSlice } from '../preprocess/mapToSlice';
import { overlayHeatmap } from '../render/overlay';
import { encodePng } from '../render/png';
import { DEFAULT_LIMITS } from '../scan/limits';
import { loadScan } from '../scan/loadScan';
import type { Scan } from '../scan/scan';
import { chooseSlice, cutSlice, isVolume, sliceCount, type SliceChoice, type SliceRequest } from '../scan/sliceChoice';
import { imageInput } from '../model/imageInput';

export type AnomalyVerdict = AnomalyResult['label'];

/** A scan scored against the detector; `mapPng` when maps were asked for. */
export interface ScoredRow {
  readonly file: string;
  readonly score: number;
  readonly label: AnomalyVerdict;
  readonly threshold: number;
  /** Which slice was scored: a volume's axis, index and slice count along it; a single image is { axis: null, index: 0, count: 1 }. */
  readonly slice: SliceChoice;
  /** The map over the slice scored (jet, 50 %, threshold at mid-colour): the picture `--maps` writes, PNG-encoded. */
  readonly mapPng?: Uint8Array;
  /** The anomaly map's values brought onto the slice's own grid (NaN where the scorer did not see it), when asked: what masks are compared with. */
  readonly sliceMap?: Image2D;
  /** A volume scored whole: every slice's score along the axis, in slice order; the row's score is their maximum, at `slice`. */
  readonly profile?: readonly number[];
  /** A volume scored whole, when asked (volumeMaps): its 3D anomaly map on the scan's own voxels, in the detector's map units (scoreVolumeSlices). */
  readonly volumeMap?: Scan;
}

/** An input that could not be scored: the reason, one line, naming the file. */
export interface ErrorRow {
  readonly file: string;
  readonly error: string;
}

export type AnomalyRow = ScoredRow | ErrorRow;

export const isScored = (row: AnomalyRow): row is ScoredRow => !('error' in row);

/** What a surface found for its arguments: files to score, and arguments that named nothing (error rows, first). */
export interface AnomalyInputs {
  readonly files: readonly string[];
  readonly missing?: readonly ErrorRow[];
}

export interface AnomalySummary {
  readonly files: number;
  readonly scored: number;
  readonly failed: number;
}

export function summarize(rows: readonly AnomalyRow[]): AnomalySummary {
  const failed = rows.filter((r) => !isScored(r)).length;
  return { files: rows.length, scored: rows.length - failed, failed };
}

/** Thrown by fit and eval when their signal aborts: there is nothing partial worth returning. */
export class AnomalyJobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AnomalyJobCancelled';
  }
}

// ---------------------------------------------------------------- open

export interface OpenOptions extends ScorerOptions {
  /** Overrides the scorer's threshold (a reconstruction model needs one when its manifest has none). */
  readonly threshold?: number;
}

/** A detector folder (or detector.json), an anomalib export or a reconstruction model, ready to score. */
export function openAnomalyScorer(path: string, options: OpenOptions = {}): Promise<AnomalyScorer> {
  return openScorer(path, options);
}

// ---------------------------------------------------------------- score

export interface ScoreOptions extends SliceRequest {
  /** Overrides the detector's threshold (lower flags more). */
  readonly threshold?: number;
  /** Draw each scored scan's map over the slice scored (ScoredRow.mapPng). */
  readonly maps?: boolean;
  /** Keep each scored scan's map on the slice's grid (ScoredRow.sliceMap). */
  readonly sliceMaps?: boolean;
  /** Score every slice of a volume along the axis (ScoredRow.profile); the volume's score is the highest, and `slice` is ignored. */
  readonly wholeVolume?: boolean;
  /** With wholeVolume: keep each volume's 3D map on its voxels (ScoredRow.volumeMap). */
  readonly volumeMaps?: boolean;
  /** Stops between files; the rows so far stand. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The map over a one-slice scan at its size, whatever the scorer's fit, in
 * the file's own display window (the viewer's first view): the picture the
 * viewer's overlay and Export Report draw.
 */
async function mapPicture(scorer: AnomalyScorer, plane: Scan, result: AnomalyResult): Promise<Uint8Array> {
  const slice = unitSlice(plane, 0, { mode: 'window' });
  return encodePng(overlayHeatmap(slice, anomalyHeat({ ...result, input: scorer.input }, slice), 'jet', 0.5));
}

/**
 * One file: decoded once, the slice chooseSlice names cut by the rule
 * classify and explain share (a volume in display orientation, its middle
 * axial slice by default; a single image as stored), scored, and drawn under
 * its map when asked. Any failure, a slice the file does not have included,
 * is its own error row.
 */
export async function scoreFile(
  scorer: AnomalyScorer,
  file: string,
  options: Pick<ScoreOptions, 'threshold' | 'maps' | 'sliceMaps' | 'volumeMaps' | 'axis' | 'slice' | 'wholeVolume' | 'signal'> = {},
): Promise<AnomalyRow> {
  try {
    const scan = await loadScan(file, DEFAULT_LIMITS);
    if (options.wholeVolume && isVolume(scan)) return await scoreVolume(scorer, file, scan, options);
    const slice = chooseSlice(scan, { axis: options.axis, slice: options.slice });
    const plane = cutSlice(scan, slice);
    const result = await scorer.scoreSlice(plane, 0, options.threshold);
    const mapPng = options.maps ? await mapPicture(scorer, plane, result) : undefined;
    const sliceMap = options.sliceMaps ? mapToSlice(result.map, { width: plane.shape[2], height: plane.shape[1] }, scorer.input) : undefined;
    return { file, score: result.score, label: result.label, threshold: result.threshold, slice, ...(mapPng ? { mapPng } : {}), ...(sliceMap ? { sliceMap } : {}) };
  } catch (error) {
    return { file, error: oneLine(aboutFile(file, error)) };
  }
}

/**
 * A volume scored slice by slice along the axis (axial by default), each
 * slice cut as classify cuts it: the profile of every slice's score, and the
 * volume's score — the highest slice score, so a lesion on any slice flags
 * the volume — with its slice, verdict and map; with volumeMaps, the 3D map
 * on the scan's voxels (scoreVolumeSlices). Stops between slices when the
 * signal aborts (an error row: a part of a volume is no volume score).
 */
async function scoreVolume(scorer: AnomalyScorer, file: string, scan: Scan, options: Pick<ScoreOptions, 'threshold' | 'maps' | 'sliceMaps' | 'volumeMaps' | 'axis' | 'signal'>): Promise<AnomalyRow> {
  const axis = options.axis ?? 'axial';
  let done = 0;
  const onSlice = (n: number): void => void (done = n);
  const scored = await scoreVolumeSlices(scorer, scan, { axis, threshold: options.threshold, map: options.volumeMaps, signal: options.signal, onSlice });
  if (!scored) return { file, error: `stopped after ${done} of ${sliceCount(scan, axis)} ${axis} slices: no volume score` };
  const { profile, best, count, map } = scored;
  const slice: SliceChoice = { axis, index: best.index, count };
  const plane = cutSlice(scan, slice);
  const { result } = best;
  const mapPng = options.maps ? await mapPicture(scorer, plane, result) : undefined;
  const sliceMap = options.sliceMaps ? mapToSlice(result.map, { width: plane.shape[2], height: plane.shape[1] }, scorer.input) : undefined;
  return {
    file,
    score: result.score,
    label: result.label,
    threshold: result.threshold,
    slice,
    profile,
    ...(mapPng ? { mapPng } : {}),
    ...(sliceMap ? { sliceMap } : {}),
    ...(map ? { volumeMap: map } : {}),
  };
}

/** Rows in input order: the missing arguments' error rows first, then one row per file; stops early when the signal aborts. */
export async function* scoreAnomalies(scorer: AnomalyScorer, inputs: AnomalyInputs, options: ScoreOptions = {}): AsyncGenerator<AnomalyRow> {
  for (const row of inputs.missing ?? []) yield { file: row.file, error: row.error };
  for (const [i, file] of inputs.files.entries()) {
    if (options.signal?.aborted) return;
    yield await scoreFile(scorer, file, options);
    options.onProgress?.(i + 1, inputs.files.length);
  }
}

// ---------------------------------------------------------------- eval

export type EvalSet = 'normal' | 'anomalous';

export interface EvalOptions extends Omit<ScoreOptions, 'onProgress' | 'sliceMaps'> {
  /** Histogram bins (default 10). */
  readonly bins?: number;
  /** A folder of ground-truth masks (PNG, NIfTI…) on the scans' grids, found by scan name: adds pixel AUROC and AUPRO. */
  readonly masks?: string;
  readonly onProgress?: (set: EvalSet, done: number, total: number) => void;
  /**
   * Each row as it is scored, map included: the returned rows carry no map
   * pictures, so a large evaluation with maps never holds them all.
   */
  readonly onRow?: (row: AnomalyRow, set: EvalSet) => void | Promise<void>;
}

export interface AnomalyEvaluation {
  /** The threshold the verdicts and atThreshold use: the override, else the detector's. */
  readonly threshold: number;
  readonly metrics: Evaluation;
  /** ROC curve of the scores, anomalous as the positive class: one point per distinct score, from (0,0) to (1,1). */
  readonly roc: { readonly fpr: readonly number[]; readonly tpr: readonly number[] };
  /** Rows per labelled set, without map pictures. */
  readonly normal: readonly AnomalyRow[];
  readonly anomalous: readonly AnomalyRow[];
  readonly summary: AnomalySummary;
  /** With masks: pixel AUROC and AUPRO over the scans that have one (normal scans without one count as all normal). */
  readonly pixel?: PixelEvaluation;
}

export interface PixelEvaluation {
  readonly metrics: PixelMetrics;
  /** Scans whose mask was found. */
  readonly masked: number;
  /** Anomalous scans without a mask: left out of the pixel metrics. */
  readonly unmasked: readonly string[];
  /** Masks that could not be used (unreadable, another grid, two matching one scan), one line each. */
  readonly failed: readonly ErrorRow[];
}

const withoutPictures = (row: AnomalyRow): AnomalyRow => {
  if (!isScored(row)) return row;
  const { mapPng: _map, sliceMap: _values, ...rest } = row;
  return rest;
};

const withoutSliceMap = (row: AnomalyRow): AnomalyRow => {
  if (!isScored(row) || !row.sliceMap) return row;
  const { sliceMap: _values, ...rest } = row;
  return rest;
};

/** Each scored scan's map against its mask, if it has one; a normal scan without one is all normal pixels. */
function pixelCollector(masks: MaskFolder): { add(row: ScoredRow, set: EvalSet): Promise<void>; result(): PixelEvaluation } {
  const pixels = new PixelMetricsAccumulator();
  const unmasked: string[] = [];
  const failed: ErrorRow[] = [];
  let masked = 0;
  return {
    async add(row, set) {
      const map = row.sliceMap!;
      let file: string | undefined;
      try {
        file = masks.maskFor(row.file);
        if (file === undefined) {
          if (set === 'normal') pixels.add(map.data, new Uint8Array(map.data.length), map.width, map.height);
          else unmasked.push(row.file);
          return;
        }
        pixels.add(map.data, await maskSlice(file, row.slice, map), map.width, map.height);
        masked++;
      } catch (error) {
        failed.push({ file: file ?? row.file, error: oneLine(aboutFile(file ?? row.file, error)) });
      }
    },
    result: () => ({ metrics: pixels.result(), masked, unmasked, failed }),
  };
}

/**
 * The normal scans, then the anomalous ones, scored; each row as `keep`
 * returns it (after whatever it does with it). Cancelling throws: half an
 * evaluation is no evaluation.
 */
async function scoreBothSets(
  scorer: AnomalyScorer,
  sets: Record<EvalSet, AnomalyInputs>,
  options: Omit<ScoreOptions, 'onProgress'> & { readonly onProgress?: (set: EvalSet, done: number, total: number) => void },
  keep: (row: AnomalyRow, set: EvalSet) => AnomalyRow | Promise<AnomalyRow> = (row) => row,
): Promise<Record<EvalSet, AnomalyRow[]>> {
  const rows: Record<EvalSet, AnomalyRow[]> = { normal: [], anomalous: [] };
  for (const set of ['normal', 'anomalous'] as const) {
    const scoring = { ...options, onProgress: (done: number, total: number) => options.onProgress?.(set, done, total) };
    for await (const row of scoreAnomalies(scorer, sets[set], scoring)) rows[set].push(await keep(row, set));
    if (options.signal?.aborted) throw new AnomalyJobCancelled();
  }
  return rows;
}

/** Scores a folder of normal scans and one of anomalous scans and measures how well the scores separate them. */
export async function evaluateAnomalies(scorer: AnomalyScorer, normal: AnomalyInputs, anomalous: AnomalyInputs, options: EvalOptions = {}): Promise<AnomalyEvaluation> {
  const pixels = options.masks !== undefined ? pixelCollector(await openMaskFolder(options.masks)) : undefined;
  const scored = await scoreBothSets(scorer, { normal, anomalous }, { ...options, sliceMaps: pixels !== undefined }, async (row, set) => {
    if (pixels && isScored(row)) await pixels.add(row, set);
    await options.onRow?.(withoutSliceMap(row), set);
    return withoutPictures(row);
  });
  const [normalRows, anomalousRows] = [scored.normal, scored.anomalous];
  const scores = (rows: readonly AnomalyRow[]): number[] => rows.filter(isScored).map((r) => r.score);
  const [n, a] = [scores(normalRows), scores(anomalousRows)];
  if (n.length === 0 || a.length === 0) throw new ScanLensError(`need scored scans in both folders (normal: ${n.length}, anomalous: ${a.length})`);
  const threshold = options.threshold ?? scorer.threshold;
  const truth = [...n.map(() => false), ...a.map(() => true)];
  const metrics = evaluate({ scores: [...n, ...a], anomalous: truth }, threshold, options.bins ?? 10);
  const roc = rocCurve([...n, ...a], truth);
  const summary = summarize([...normalRows, ...anomalousRows]);
  return { threshold, metrics, roc: { fpr: roc.fpr, tpr: roc.tpr }, normal: normalRows, anomalous: anomalousRows, summary, ...(pixels ? { pixel: pixels.result() } : {}) };
}

// ---------------------------------------------------------------- fit

export interface FitJobOptions extends Omit<FitOptions, 'out' | 'onFile'> {
  /** Stops between files (AnomalyJobCancelled). */
  readonly signal?: AbortSignal;
  /** Files read so far of all given (fitting first, then the held-out ones). */
  readonly onProgress?: (done: number, total: number, phase: 'fit' | 'calibrate') => void;
}

/** A detector fitted in memory: it scores now, and is written only by save(). */
export interface FittedAnomalyDetector {
  /** detector.json as saving would write it, less the backbone's path and the arrays' files. */
  readonly manifest: FittedDetector['manifest'];
  /** Training and held-out files that could not be read, in order. */
  readonly failed: readonly ErrorRow[];
  /** Scores of the held-out normals the threshold was set from. */
  readonly calibrationScores: readonly number[];
  /** Scores exactly as the saved folder, reloaded, would (`summary().path` is null until saved). */
  readonly scorer: AnomalyScorer;
  /** Every file save(out) writes: arrays, detector.json, the bundled backbone. */
  files(out: string): Promise<string[]>;
  /** Writes the detector folder (each file atomically) and returns its detector.json. */
  save(out: string): Promise<DetectorManifest>;
}

/**
 * Fits a detector on normal scans (every fifth held out to set the
 * threshold). Nothing is written until save(): a caller that checks where
 * files may go (a notebook) checks files() first, and `scanlens run --check`
 * never saves.
 */
export async function fitAnomalyDetector(files: readonly string[], options: FitJobOptions): Promise<FittedAnomalyDetector> {
  imageInput(options.backbone.manifest, 'anomaly fit', options.backbone.manifestPath ?? options.backbone.onnxPath);
  let done = 0;
  const fitted = await fitInMemory(files, {
    ...options,
    onFile: (_file, phase) => {
      if (options.signal?.aborted) throw new AnomalyJobCancelled();
      options.onProgress?.(++done, files.length, phase);
    },
  });
  return {
    manifest: fitted.manifest,
    failed: fitted.failed.map((f) => ({ file: f.file, error: f.error })),
    calibrationScores: fitted.calibrationScores,
    scorer: finiteScorer(featureScorer(fitted.features, fitted.detector, fitted.manifest, null)),
    files: (out) => fittedFiles(fitted, out),
    save: (out) => saveFitted(fitted, out),
  };
}

// ---------------------------------------------------------------- threshold

export interface ThresholdJobOptions extends Pick<ScoreOptions, 'axis' | 'slice' | 'signal'> {
  /** Store the threshold chosen in the detector (default); false: only say what it would be (`scanlens run --check`). */
  readonly write?: boolean;
  readonly onProgress?: (set: EvalSet, done: number, total: number) => void;
}

export interface ThresholdOutcome {
  /** The detector manifest rewritten. */
  readonly manifestPath: string;
  readonly previous: number;
  readonly threshold: DetectorManifest['threshold'];
  readonly normal: readonly AnomalyRow[];
  readonly anomalous: readonly AnomalyRow[];
  readonly summary: AnomalySummary;
}

/**
 * Chooses a ScanLens detector's threshold after fitting, from held-out scans
 * (scored as `anomaly score` scores them): at a false-positive rate on the
 * normals, or at the best F1 with anomalous scans too. Writes it into the
 * detector's manifest with how it was chosen; arrays and everything else stay.
 */
export async function rethresholdDetector(path: string, normal: AnomalyInputs, anomalous: AnomalyInputs, rule: ThresholdRule, options: ThresholdJobOptions = {}): Promise<ThresholdOutcome> {
  const manifestPath = await detectorManifestPath(path);
  if (basename(manifestPath) !== MANIFEST_FILE) throw new ScanLensError(`is not a detector made by anomaly fit (a folder with ${MANIFEST_FILE}): only its threshold can be chosen again`, path);
  const { manifest } = await loadDetector(manifestPath);
  const scorer = await openAnomalyScorer(manifestPath);
  const { normal: normalRows, anomalous: anomalousRows } = await scoreBothSets(scorer, { normal, anomalous }, options);
  const scores = (rows: readonly AnomalyRow[]): number[] => rows.filter(isScored).map((r) => r.score);
  const [n, a] = [scores(normalRows), scores(anomalousRows)];
  const chosen = chooseThreshold(n, a, rule);
  const threshold: DetectorManifest['threshold'] = {
    ...manifest.threshold,
    value: chosen.value,
    chosen: {
      rule: rule.rule,
      ...(rule.rule === 'fpr' ? { fpr: rule.fpr } : {}),
      normal: n.length,
      anomalous: a.length,
      falsePositiveRate: chosen.falsePositiveRate,
      ...(chosen.recall !== undefined ? { recall: chosen.recall, f1: chosen.f1! } : {}),
    },
  };
  if (options.write !== false) await writeFileAtomic(manifestPath, JSON.stringify({ ...manifest, threshold }, null, 2) + '\n');
  return { manifestPath, previous: manifest.threshold.value, threshold, normal: normalRows, anomalous: anomalousRows, summary: summarize([...normalRows, ...anomalousRows]) };
}

// ---------------------------------------------------------------- add

export interface AddJobOptions extends ScorerOptions {
  /** PatchCore: the bank's size after re-condensing (default: its size now). */
  readonly bankSize?: number;
  /** Stops between files (AnomalyJobCancelled); the detector is then untouched. */
  readonly signal?: AbortSignal;
  /** Files read so far of all given (folded in first, then the held-out ones). */
  readonly onProgress?: (done: number, total: number, phase: 'fit' | 'calibrate') => void;
}

export interface AddOutcome {
  /** The detector manifest rewritten. */
  readonly manifestPath: string;
  /** What the detector was before: its threshold (with how it was chosen) and how many scans it was fitted on. */
  readonly previous: { readonly threshold: DetectorManifest['threshold']; readonly images: number };
  readonly manifest: DetectorManifest;
  /** Scans folded in; the held-out ones set the threshold. */
  readonly added: number;
  readonly calibrationScores: readonly number[];
  /** Arguments that named nothing, then scans that could not be read, one line each. */
  readonly failed: readonly ErrorRow[];
  readonly summary: AnomalySummary;
}

/**
 * Folds new normal scans into a ScanLens detector and writes it back (see
 * addNormals): PaDiM exactly, PatchCore by re-condensing its bank; the
 * threshold is set again from the new held-out scans as fitting sets it. A
 * detector that cannot be continued, or too few scans, is one line before
 * any is read; nothing is written unless the whole update succeeds.
 */
export async function addToDetector(path: string, inputs: AnomalyInputs, options: AddJobOptions = {}): Promise<AddOutcome> {
  let done = 0;
  const added = await addNormals(path, inputs.files, {
    ...options,
    onFile: (_file, phase) => {
      if (options.signal?.aborted) throw new AnomalyJobCancelled();
      options.onProgress?.(++done, inputs.files.length, phase);
    },
  });
  const manifest = await saveAdded(added);
  const failed: ErrorRow[] = [...(inputs.missing ?? []).map((r) => ({ file: r.file, error: r.error })), ...added.failed];
  const files = (inputs.missing?.length ?? 0) + inputs.files.length;
  return {
    manifestPath: added.manifestPath,
    previous: { threshold: added.previous.threshold, images: added.previous.training.images },
    manifest,
    added: added.added,
    calibrationScores: added.calibrationScores,
    failed,
    summary: { files, scored: files - failed.length, failed: failed.length },
  };
}

import { ScanLensError } from '../errors';
import { explainInput, type Explanation, type ExplainOptions } from '../explain/explain';
import { scoreExplanation, type Scorecard, type ScorecardOptions } from '../explain/scorecard/scorecard';
import type { Image2D } from '../image';
import type { LoadedModel } from '../model/loadModel';
import { toChannels } from '../preprocess/colour';
import type { ModelView } from '../preprocess/mapToSlice';
import { prepareInput } from '../preprocess/prepareInput';
import { DEFAULT_LIMITS, type DecodeLimits } from '../scan/limits';
import { loadScan, type LoadOptions } from '../scan/loadScan';
import type { Scan } from '../scan/scan';
import { chooseSlice, cutSlice, type SliceChoice, type SliceRequest } from '../scan/sliceChoice';
import { readSliceMask } from './scorecardMask';
import { imageInput } from '../model/imageInput';

export interface ExplainJobOptions extends ExplainOptions, SliceRequest {
  readonly limits?: DecodeLimits;
  /** How the file is read (blocking read, which volume of a 4D NIfTI, privacy). */
  readonly load?: LoadOptions;
  /** Also score the explanation (explain/scorecard/scorecard.ts). */
  readonly score?: ScoreRequest;
}

export interface ScoreRequest extends Omit<ScorecardOptions, 'mask' | 'signal'> {
  /** A mask file on the scan's grid (scorecardMask.ts), for the pointing game and relevance mass. */
  readonly mask?: string;
}

export interface ExplainJobResult {
  /** The path the job read. */
  readonly file: string;
  readonly explanation: Explanation;
  /** The slice explained, in [0,1] before any stage or resizing (grey or RGB): what the map is drawn over. */
  readonly base: Image2D;
  /** Which slice: for a volume its axis, index and the axis' slice count; a single image is { axis: null, index: 0, count: 1 }. */
  readonly slice: SliceChoice;
  /** How the model's input framed the slice (its size and fit): mapToSlice places the map with it. */
  readonly view: ModelView;
  /** When asked for (`score`). */
  readonly scorecard?: Scorecard;
}

/** A class given as a label or as an index; undefined means the top class. */
export function classIndexOf(model: LoadedModel, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const { labels } = model.manifest;
  const byLabel = labels.indexOf(text);
  if (byLabel >= 0) return byLabel;
  if (/^\d+$/.test(text) && Number(text) < labels.length) return Number(text);
  throw new ScanLensError(`unknown class '${text}'; the model's classes are ${labels.map((l, i) => `${i}:${l}`).join(', ')}`);
}

/**
 * Explains one slice of a scan file (image, multi-frame DICOM, NIfTI): the
 * slice chooseSlice names (a volume's middle axial slice by default), cut by
 * the same rule and fed through the same prepareInput as classify's volume
 * rows, so slice k along an axis gets the probabilities classify gives it.
 */
export async function explainJob(model: LoadedModel, path: string, options: ExplainJobOptions): Promise<ExplainJobResult> {
  imageInput(model.manifest, 'explain', model.manifestPath ?? model.onnxPath);
  const { limits = DEFAULT_LIMITS, load = {} } = options;
  return explainScan(model, await loadScan(path, limits, load), options);
}

/** explainJob on a scan already read (a DICOM series, or one the caller loaded for something else too). */
export async function explainScan(model: LoadedModel, scan: Scan, options: ExplainJobOptions): Promise<ExplainJobResult> {
  imageInput(model.manifest, 'explain', model.manifestPath ?? model.onnxPath);
  const { axis, slice: index, limits, load, score, ...explain } = options;
  const path = scan.path;
  const slice = chooseSlice(scan, { axis, slice: index });
  const prepared = await prepareInput(cutSlice(scan, slice), model.manifest, 0);
  let base = prepared.sliceImage;
  if (base.channels !== 1 && base.channels !== 3) base = toChannels(base, 1);
  const { size, fit } = model.manifest.input;
  const view = { size, fit };
  // A bad mask is one line before the explanation runs.
  const inside = score?.mask ? await readSliceMask(score.mask, slice, base, limits, load) : undefined;
  const explanation = await explainInput(model, prepared.data, explain);
  if (!score) return { file: path, explanation, base, slice, view };
  const mask = inside && { width: base.width, height: base.height, inside, view };
  const scorecard = await scoreExplanation(model, prepared.data, explanation, explain, { seed: score.seed, onProgress: score.onProgress, signal: explain.signal, mask });
  return { file: path, explanation, base, slice, view, scorecard };
}

import { z } from 'zod';
import { SLICE_AXES } from '../core/vocabulary/axes';
import { CAM_METHODS, CAM_SMOOTHING } from '../core/vocabulary/camMethods';
import { COLORMAPS } from '../core/vocabulary/colormaps';
import { guardFieldsComplete } from '../core/vocabulary/outOfDistribution';
import { ScorecardSchema } from './scorecard';

/**
 * The one message envelope between the scan viewer's host (extension) and its
 * webview. Either side sends requests with an id and answers the other's
 * requests with a response carrying the same id; events need no answer.
 * Both sides validate every message they receive with these schemas.
 */

export const AXES = SLICE_AXES;
export const AxisSchema = z.enum(AXES);
export type Axis = z.infer<typeof AxisSchema>;

export const EXPLAIN_METHODS = CAM_METHODS;
/** The overlay's choices: an explanation method, or the guard's anomaly map (offered only for a model with a detector). */
export const ANOMALY_OVERLAY = 'anomaly';
export const OVERLAY_METHODS = [...EXPLAIN_METHODS, ANOMALY_OVERLAY] as const;
export type OverlayMethod = (typeof OVERLAY_METHODS)[number];
export const OVERLAY_COLORMAPS = COLORMAPS;

const WindowSchema = z.object({ center: z.number(), width: z.number(), name: z.string().optional() });
export type ViewerWindow = z.infer<typeof WindowSchema>;

const SliceRef = z.object({ axis: AxisSchema, index: z.number().int().nonnegative() });

/** An explanation map's own size: [width, height] of a 2D model's, [width, height, depth] of a 3D model's (its layer's grid along S, A, R). */
const MapSizeSchema = z.union([z.tuple([z.number().int(), z.number().int()]), z.tuple([z.number().int(), z.number().int(), z.number().int()])]);

export const OverlayOptionsSchema = z.object({
  method: z.enum(OVERLAY_METHODS),
  /** Class to explain; the top class when absent (the anomaly map has no class). */
  classIndex: z.number().int().nonnegative().optional(),
  /** pytorch-grad-cam's smoothing of an explanation; none when absent. */
  smooth: z.enum(CAM_SMOOTHING).optional(),
  colormap: z.enum(OVERLAY_COLORMAPS),
  opacity: z.number().min(0).max(1),
});
export type OverlayOptions = z.infer<typeof OverlayOptionsSchema>;
/**
 * What an explanation is computed for: its method and class. The colormap
 * and opacity are not part of it; the page applies them to the heat it is sent.
 */
const ExplainChoiceSchema = z.object({
  method: z.enum(EXPLAIN_METHODS),
  /** Class to explain; the top class when absent. */
  classIndex: z.number().int().nonnegative().optional(),
  /** eigen_smooth, aug_smooth or both; none when absent. */
  smooth: z.enum(CAM_SMOOTHING).optional(),
});
export type ExplainChoice = z.infer<typeof ExplainChoiceSchema>;

/** Requests the webview makes of the host. */
export const HostRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('info') }),
  /** Asked for after the first paint: loading the model must not hold the slice back. */
  z.object({ type: z.literal('model') }),
  /** With `overlay`, a 3D model's explanation comes with the slice when the volume's map is made: cutting it is as quick as cutting the slice. */
  SliceRef.extend({ type: z.literal('slice'), overlay: ExplainChoiceSchema.optional() }),
  SliceRef.extend({ type: z.literal('classify') }),
  SliceRef.extend({ type: z.literal('explain'), ...ExplainChoiceSchema.shape }),
  /** The scorecard of that slice's explanation (the Scorecard panel's button). */
  SliceRef.extend({ type: z.literal('score'), ...ExplainChoiceSchema.shape }),
  SliceRef.extend({ type: z.literal('anomalyMap') }),
  z.object({ type: z.literal('profile'), axis: AxisSchema }),
  SliceRef.extend({ type: z.literal('export'), overlay: OverlayOptionsSchema, window: WindowSchema }),
]);
export type HostRequest = z.infer<typeof HostRequestSchema>;

/** Per axis: how many slices, each slice's size, and the patient directions at its edges. */
const AxisInfoSchema = z.object({
  depth: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Physical size of a pixel (x, y) in mm, for an aspect-correct display. */
  pixelSpacing: z.tuple([z.number().positive(), z.number().positive()]),
  /** Letters at the left, right, top and bottom edges; empty without orientation. */
  labels: z.object({ left: z.string(), right: z.string(), top: z.string(), bottom: z.string() }),
});
export type AxisInfo = z.infer<typeof AxisInfoSchema>;

export const ScanInfoSchema = z.object({
  fileName: z.string(),
  format: z.string(),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** The file's own window first, then its presets. */
  windows: z.array(WindowSchema).min(1),
  valueRange: z.object({ min: z.number(), max: z.number() }),
  /**
   * The file names no window and its default spans a 16/32-bit type's whole
   * range (NIfTI without cal_min/cal_max): the viewer starts on the slice's own range.
   */
  preferSliceRange: z.boolean(),
  /** Unit of the values under the cursor (after the modality LUT), e.g. "HU"; empty when unknown. */
  unit: z.string(),
  axes: z.object({ axial: AxisInfoSchema, coronal: AxisInfoSchema, sagittal: AxisInfoSchema }),
  /** Redacted by the engine unless the user asked otherwise. */
  metadata: z.record(z.string(), z.union([z.string(), z.number()])),
  model: z
    .object({
      name: z.string(),
      labels: z.array(z.string()),
      notice: z.string().optional(),
      /** True when the manifest names an anomaly detector (out-of-distribution guard): the overlay then offers its map. */
      detector: z.boolean().optional(),
      /** True for a 3D model (NCDHW): the volume is classified and explained whole, and each slice shows the 3D map where it cuts it. */
      volume: z.boolean().optional(),
    })
    .optional(),
  modelError: z.string().optional(),
});
export type ScanInfo = z.infer<typeof ScanInfoSchema>;

/** The answer to 'model': the host's 'info' answer leaves these out, and the page merges them in. */
export const ModelInfoSchema = ScanInfoSchema.pick({ model: true, modelError: true });

/** Typed arrays a slice travels as: an 8/16-bit scan's own type, else float32. */
const SLICE_ARRAYS = [Float32Array, Int16Array, Uint16Array, Int8Array, Uint8Array] as const;
type SliceArray = Float32Array<ArrayBufferLike> | Int16Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike> | Int8Array<ArrayBufferLike> | Uint8Array<ArrayBufferLike>;

/** Stored values → float32 in modality units, as the page draws and reads them. */
function modalityValues(values: SliceArray, rescale: { slope: number; intercept: number } | undefined): Float32Array<ArrayBufferLike> {
  if (values instanceof Float32Array && !rescale) return values;
  const slope = rescale?.slope ?? 1;
  const intercept = rescale?.intercept ?? 0;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * slope + intercept;
  return out;
}

/** Every value NaN or within 0…1: one pass, no copy. */
function heatValues(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v > 1) return false;
  }
  return true;
}

/**
 * A map brought onto the slice (at the slice's size, row by row) and put on
 * its colour scale: each value in [0,1] is a position on the colormap, NaN a
 * pixel the model did not see (the slice shows through). The page colours it
 * with the chosen colormap and blends it at the chosen opacity, so neither
 * choice asks the host again. Float32, as VS Code transfers typed arrays:
 * binary, and exact, so the page's colours are the host's to the bit.
 */
export const SliceHeatSchema = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    values: z.custom<Float32Array<ArrayBufferLike>>((value) => value instanceof Float32Array, 'expected a Float32Array'),
  })
  .refine(({ width, height, values }) => values.length === width * height, 'the heat map must have one value per pixel of the slice')
  .refine(({ values }) => heatValues(values), 'heat values must lie within 0…1 (NaN: not seen)');
export type SliceHeat = z.infer<typeof SliceHeatSchema>;

export const ExplainResultSchema = z.object({
  method: z.enum(EXPLAIN_METHODS),
  classIndex: z.number().int().nonnegative(),
  label: z.string(),
  /** The explanation over the slice, stretched to [0,1] (its lowest value 0, its highest 1; a 3D model's over the whole volume, NaN where the model did not see it). */
  heat: SliceHeatSchema,
  /** The map's own size, as the method computed it. */
  mapSize: MapSizeSchema,
});
export type ExplainResult = z.infer<typeof ExplainResultSchema>;

export const SliceDataSchema = z
  .object({
    axis: AxisSchema,
    index: z.number().int().nonnegative(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.union([z.literal(1), z.literal(3)]),
    /**
     * Values row by row (channels interleaved): stored values for an 8/16-bit
     * scan, else float32 in modality units. VS Code transfers typed arrays to
     * webviews as binary, not as JSON numbers; the smaller the type, the sooner a slice arrives.
     */
    values: z.custom<SliceArray>((value) => SLICE_ARRAYS.some((type) => value instanceof type), 'expected a Float32Array or an 8/16-bit typed array'),
    /** Stored value → modality units (DICOM rescale, NIfTI scl_slope/inter); absent: identity. */
    rescale: z.object({ slope: z.number(), intercept: z.number() }).optional(),
    /** The explanation asked for with the slice (a 3D model's, its volume map already made), cut at the slice. */
    explanation: ExplainResultSchema.optional(),
  })
  .transform(({ values, rescale, ...slice }) => ({ ...slice, values: modalityValues(values, rescale) }));
/** What the host sends. */
export type SliceWire = z.input<typeof SliceDataSchema>;
/** What the page works with once validated: float32 in modality units. */
export type SliceData = z.output<typeof SliceDataSchema>;

export const ClassifyResultSchema = z
  .object({
    labels: z.array(z.string()),
    probabilities: z.array(z.number()),
    model: z.string(),
    /** Present when the model's manifest names an out-of-distribution guard; flag only at or over the threshold. */
    anomalyScore: z.number().optional(),
    anomalyThreshold: z.number().optional(),
    flag: z.string().optional(),
  })
  .refine(guardFieldsComplete, 'anomalyScore, anomalyThreshold and flag go together');
export type ClassifyResult = z.infer<typeof ClassifyResultSchema>;

/** The scorecard as a table of display cells (core/report/scorecardTable.ts), the same rows and digits as the CLI's and the notebook's. */
const ScorecardCellsSchema = z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string())) });

export const ScoreResultSchema = z.object({
  method: z.enum(EXPLAIN_METHODS),
  classIndex: z.number().int().nonnegative(),
  label: z.string(),
  scorecard: ScorecardSchema,
  table: ScorecardCellsSchema,
});
export type ScoreResult = z.infer<typeof ScoreResultSchema>;

/** A volume's anomaly score: the highest of `count` slice scores along `axis`, at `slice`. */
const VolumeScoredSchema = z.object({ axis: AxisSchema, slice: z.number().int().nonnegative(), count: z.number().int().positive() });

export const AnomalyMapResultSchema = z.object({
  /** The guard's map over the slice on a fixed scale: 0 → 0, the threshold → 0.5, twice the threshold and more → 1. */
  heat: SliceHeatSchema,
  anomalyScore: z.number(),
  anomalyThreshold: z.number(),
  /** The detector's held-out normal scores its threshold was set on, when it keeps them: the legend's histogram. */
  normalScores: z.array(z.number()).optional(),
  /** The map's size as the detector computed it (its model's input). */
  mapSize: z.tuple([z.number().int(), z.number().int()]),
  /**
   * On a volume: the map is the volume's, every slice along `axis` scored once and cut for any view,
   * and anomalyScore is the volume's score, the highest of `count` slice scores, at `slice`.
   */
  volume: VolumeScoredSchema.optional(),
});
export type AnomalyMapResult = z.infer<typeof AnomalyMapResultSchema>;

export const ProfileResultSchema = z.object({
  axis: AxisSchema,
  labels: z.array(z.string()),
  /** probabilities[slice][class]. */
  probabilities: z.array(z.array(z.number())),
});
export type ProfileResult = z.infer<typeof ProfileResultSchema>;

export const ExportResultSchema = z.object({ png: z.string(), json: z.string() });
export type ExportResult = z.infer<typeof ExportResultSchema>;

/** What the webview shows right now: read back by the real-host tests. */
export const ViewerStateSchema = z.object({
  axis: AxisSchema,
  slice: z.number().int().nonnegative(),
  depth: z.number().int().positive(),
  window: WindowSchema,
  zoom: z.number().positive(),
  probabilities: z.array(z.number()),
  /** The out-of-distribution warning shown with the probabilities, when the guard flagged the slice. */
  warning: z.string().optional(),
  overlay: z.object({
    shown: z.boolean(),
    method: z.enum(OVERLAY_METHODS),
    classIndex: z.number().int().nonnegative().optional(),
    smooth: z.enum(CAM_SMOOTHING).optional(),
    /** The explanation's map size as the host computed it (the method's own resolution; the input's with aug_smooth), while an explanation is on screen. */
    mapSize: MapSizeSchema.optional(),
    /** The choices the method list offers: the explanation methods, and the anomaly map when the model has a detector. */
    methods: z.array(z.enum(OVERLAY_METHODS)),
    /** Where the overlay on screen is highest: [x, y] in the slice's pixels as drawn (from the top left), and its value. */
    peak: z.object({ x: z.number().int(), y: z.number().int(), value: z.number() }).optional(),
    /** Score and threshold in the anomaly map's legend, while the map is on screen. */
    anomaly: z
      .object({
        score: z.number(),
        threshold: z.number(),
        bars: z.number().int().optional(),
        /** On a volume: the slice along the detector's axis whose score is the volume's. */
        volume: VolumeScoredSchema.optional(),
      })
      .optional(),
  }),
  error: z.string().optional(),
  /** ms from the page's navigation start to its script starting. */
  scriptStartMs: z.number(),
  /** ms from the page script starting to the first slice drawn. */
  firstPaintMs: z.number().optional(),
  /** ms from the last slice request to that slice drawn. */
  lastSliceMs: z.number().optional(),
  /** ms from the last slice drawn to its explanation overlay drawn over it. */
  lastOverlayMs: z.number().optional(),
  paints: z.number().int().nonnegative(),
  /** Slices in the per-slice profile chart; 0 until it is drawn. */
  profileSlices: z.number().int().nonnegative(),
  /** The scorecard table on screen, for the slice, method and class shown. */
  scorecard: ScorecardCellsSchema.optional(),
  /** Inference requests (probabilities, overlay) still running. */
  pending: z.number().int().nonnegative(),
  /** The page's navigation start (epoch ms) and when each step of its first showing finished, ms after it. */
  opening: z.object({ timeOrigin: z.number(), phases: z.record(z.string(), z.number()) }).optional(),
});
export type ViewerState = z.infer<typeof ViewerStateSchema>;

/** Requests the host makes of the webview (tests read the rendered state; they may also drive it). */
export const WebviewRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state') }),
  SliceRef.extend({ type: z.literal('goto') }),
  /** Shows or hides the overlay, as the checkbox does; `method` picks from the method list first. */
  z.object({ type: z.literal('overlay'), shown: z.boolean(), method: z.enum(OVERLAY_METHODS).optional(), smooth: z.enum([...CAM_SMOOTHING, 'none']).optional() }),
  /** Same as the Export Report button. */
  z.object({ type: z.literal('export') }),
  /** Same as the Slice profile button; answered once the chart is drawn. */
  z.object({ type: z.literal('profile') }),
  /** Same as the Score button; answered once the scorecard is shown. */
  z.object({ type: z.literal('score') }),
]);
export type WebviewRequest = z.infer<typeof WebviewRequestSchema>;

export const HostEventSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('modelChanged') })]);
export type HostEvent = z.infer<typeof HostEventSchema>;

export const WebviewEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('painted'), axis: AxisSchema, slice: z.number().int(), ms: z.number() }),
]);
export type WebviewEvent = z.infer<typeof WebviewEventSchema>;

const ResponseSchema = z.union([
  z.object({ kind: z.literal('response'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
export type Response = z.infer<typeof ResponseSchema>;

/** Everything the webview may post to the host. */
export const ToHostSchema = z.union([
  z.object({ kind: z.literal('request'), id: z.number().int(), request: HostRequestSchema }),
  z.object({ kind: z.literal('event'), event: WebviewEventSchema }),
  ResponseSchema,
]);
export type ToHost = z.infer<typeof ToHostSchema>;

/** Everything the host may post to the webview. */
export const ToWebviewSchema = z.union([
  z.object({ kind: z.literal('request'), id: z.number().int(), request: WebviewRequestSchema }),
  z.object({ kind: z.literal('event'), event: HostEventSchema }),
  ResponseSchema,
]);
export type ToWebview = z.infer<typeof ToWebviewSchema>;

/** The result schema of each host request, so the webview validates answers too. */
export const HOST_RESULT_SCHEMAS = {
  info: ScanInfoSchema,
  model: ModelInfoSchema,
  slice: SliceDataSchema,
  classify: ClassifyResultSchema,
  explain: ExplainResultSchema,
  score: ScoreResultSchema,
  anomalyMap: AnomalyMapResultSchema,
  profile: ProfileResultSchema,
  export: ExportResultSchema,
} as const satisfies Record<HostRequest['type'], z.ZodType>;

export type HostResult<T extends HostRequest['type']> = z.infer<(typeof HOST_RESULT_SCHEMAS)[T]>;

export const WEBVIEW_RESULT_SCHEMAS = {
  state: ViewerStateSchema,
  goto: ViewerStateSchema,
  overlay: ViewerStateSchema,
  export: ExportResultSchema,
  profile: ViewerStateSchema,
  score: ViewerStateSchema,
} as const satisfies Record<WebviewRequest['type'], z.ZodType>;

export type WebviewResult<T extends WebviewRequest['type']> = z.infer<(typeof WEBVIEW_RESULT_SCHEMAS)[T]>;

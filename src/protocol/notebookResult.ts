import { z } from 'zod';
import { guardFieldsComplete } from '../core/vocabulary/outOfDistribution';
import { ScorecardSchema } from './scorecard';
import { AXES } from './viewerMessages';

/** The mime type our notebook renderer draws; the payload is one NotebookResult. */
export const SCANLENS_RESULT_MIME = 'application/vnd.scanlens.result+json';

const probability = z.number().min(0).max(1);
const ranked = z.strictObject({ label: z.string(), probability });
const tableValue = z.union([z.string(), z.number(), z.null()]);
const size = z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive() });

/**
 * The slice a result is about: a volume's plane, index (from 0, as classify's
 * volume rows number it) and slice count along that plane; a single 2D image
 * is { axis: null, index: 0, count: 1 }.
 */
const SliceUsed = z.strictObject({ axis: z.enum(AXES).nullable(), index: z.number().int().nonnegative(), count: z.number().int().positive() });

export const TableSchema = z.strictObject({ columns: z.array(z.string()), rows: z.array(z.array(tableValue)) });
export type Table = z.infer<typeof TableSchema>;

const ModelResult = z.strictObject({
  kind: z.literal('model'),
  name: z.string(),
  version: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  labels: z.array(z.string()),
  input: z.strictObject({ width: z.number().int(), height: z.number().int(), channels: z.number().int() }),
  assumptions: z.array(z.string()),
});

/** A class's peak slice in a volume, with the guard's verdict on that slice for a guarded classifier. */
const PeakSlice = z
  .strictObject({
    label: z.string(),
    slice: z.number().int(),
    probability,
    // The guard's verdict on the peak slice, as a classify row carries it for its file.
    anomalyScore: z.number().optional(),
    anomalyThreshold: z.number().optional(),
    flag: z.string().optional(),
  })
  .refine(guardFieldsComplete, 'anomalyScore, anomalyThreshold and flag go together');

const InputKind = z.enum(['image', 'volume', 'series']);

const ClassifyRow = z.union([
  z
    .strictObject({
      file: z.string(),
      probabilities: z.array(probability),
      top: ranked,
      notes: z.array(z.string()).optional(),
      /** The conformal prediction set, when the model has one (manifest output.conformal). */
      predictionSet: z.array(z.string()).optional(),
      // Present when the classifier's manifest names a detector; flag only when the score is at or over the threshold.
      anomalyScore: z.number().optional(),
      anomalyThreshold: z.number().optional(),
      flag: z.string().optional(),
    })
    .refine(guardFieldsComplete, 'anomalyScore, anomalyThreshold and flag go together'),
  /** A volume (NIfTI, multi-frame DICOM) or DICOM series in a classify table: its peaks, as the CLI's volume rows. */
  z.strictObject({
    file: z.string(),
    kind: z.enum(['volume', 'series']),
    axis: z.enum(AXES),
    /** How many slices were classified. */
    slices: z.number().int().nonnegative(),
    peaks: z.array(PeakSlice),
    top: PeakSlice,
    /** A series' slice files. */
    files: z.array(z.string()).optional(),
    notes: z.array(z.string()).optional(),
  }),
  z.strictObject({ file: z.string(), error: z.string(), kind: InputKind.optional(), files: z.array(z.string()).optional() }),
]);

const ClassifyResult = z.strictObject({ kind: z.literal('classify'), labels: z.array(z.string()), rows: z.array(ClassifyRow) });

const ExplainResult = z.strictObject({
  kind: z.literal('explain'),
  file: z.string(),
  method: z.string(),
  class: z.strictObject({ index: z.number().int(), label: z.string() }),
  layer: z.string().nullable(),
  labels: z.array(z.string()),
  probabilities: z.array(probability),
  /** Raw map at the target layer's resolution, before upsampling and normalisation. */
  map: z.strictObject({ width: z.number().int(), height: z.number().int(), data: z.array(z.number()) }),
  /** The slice explained; results saved before it existed have none (they explained a volume's first stored slice). */
  slice: SliceUsed.optional(),
  /**
   * Where the map lies on the scan: the slice's size, and the model input's
   * size and fit that framed it (mapToSlice's view). Results saved before it
   * existed have none, and their map is stretched over the scan.
   */
  view: z.strictObject({ slice: size, input: size, fit: z.enum(['fill', 'contain', 'cover']) }).optional(),
  /** With score=true (or mask=): the explanation's scorecard, and the mask file as written in the cell. */
  scorecard: ScorecardSchema.optional(),
  maskFile: z.string().optional(),
});

const imageStats = { width: z.number().int(), height: z.number().int(), channels: z.number().int(), min: z.number(), max: z.number(), mean: z.number() };

const PreprocessResult = z.strictObject({
  kind: z.literal('preprocess'),
  file: z.string(),
  stages: z.array(z.strictObject({ name: z.string(), ...imageStats })),
  /** 'model': the model's own pipeline, ending with its input; 'stages': a gallery asked for (stages=). Absent in results saved before it existed. */
  pipeline: z.enum(['model', 'stages']).optional(),
  slice: SliceUsed.optional(),
});

const InfoResult = z.strictObject({
  kind: z.literal('info'),
  file: z.string(),
  format: z.string(),
  shape: z.strictObject({ depth: z.number().int(), height: z.number().int(), width: z.number().int() }),
  channels: z.number().int(),
  bitsPerSample: z.number().int(),
  spacing: z.array(z.number()).nullable(),
  stats: z.strictObject({ min: z.number(), max: z.number(), mean: z.number(), std: z.number() }),
});

const VolumeResult = z.strictObject({
  kind: z.literal('volume'),
  file: z.string(),
  axis: z.string(),
  labels: z.array(z.string()),
  slices: z.array(z.strictObject({ slice: z.number().int(), probabilities: z.array(probability) })),
  peaks: z.array(PeakSlice),
  /** Peak slices the guard could not score. */
  notes: z.array(z.string()).optional(),
});

const EvaluateResult = z.strictObject({
  kind: z.literal('evaluate'),
  source: z.string(),
  labels: z.array(z.string()),
  files: z.number().int(),
  failed: z.number().int(),
  accuracy: z.number(),
  perClass: z.array(
    z.strictObject({
      label: z.string(),
      precision: z.number().nullable(),
      recall: z.number().nullable(),
      support: z.number().int(),
      auc: z.number().nullable(),
      /** Absent in outputs saved before evaluate reported it. */
      averagePrecision: z.number().nullable().optional(),
    }),
  ),
  /** confusion[true][predicted] */
  confusion: z.array(z.array(z.number().int())),
  roc: z.array(z.strictObject({ label: z.string(), fpr: z.array(z.number()), tpr: z.array(z.number()) })),
  /** Absent in outputs saved before evaluate reported calibration. */
  calibration: z
    .strictObject({
      ece: z.number(),
      mce: z.number(),
      brier: z.number(),
      nll: z.number(),
      bins: z.array(z.strictObject({ low: z.number(), high: z.number(), count: z.number().int(), confidence: z.number(), accuracy: z.number() })),
    })
    .optional(),
});

const ExportResult = z.strictObject({ kind: z.literal('export'), file: z.string(), format: z.enum(['csv', 'json']), rows: z.number().int() });

/**
 * One scan scored against a detector (a score at or over the threshold is
 * anomalous), with the slice scored; or why it could not be. Rows saved before
 * volumes could be scored have no slice (they scored single images).
 */
const AnomalyRow = z.union([
  z.strictObject({
    file: z.string(),
    score: z.number(),
    threshold: z.number(),
    label: z.enum(['normal', 'anomalous']),
    slice: SliceUsed.optional(),
    /** A volume scored whole (volume=true): every slice's score along the axis; `score` is the highest, at `slice`. */
    profile: z.array(z.number()).optional(),
  }),
  z.strictObject({ file: z.string(), error: z.string() }),
]);
const anomalyBase = {
  kind: z.literal('anomaly'),
  /** The detector as the notebook names it: its folder relative to the notebook, null for one fitted by the notebook and not saved. */
  detector: z.strictObject({ path: z.string().nullable(), method: z.string(), threshold: z.number() }),
};
const confusionAt = z.strictObject({ threshold: z.number(), precision: z.number(), recall: z.number(), f1: z.number() });

/** `anomaly fit|score|eval`: one kind, shaped by its subcommand. */
const AnomalyResult = z.discriminatedUnion('subcommand', [
  z.strictObject({
    ...anomalyBase,
    subcommand: z.literal('fit'),
    source: z.string(),
    backbone: z.strictObject({ name: z.string(), sha256: z.string() }),
    features: z.strictObject({ layers: z.array(z.string()), grid: z.strictObject({ width: z.number().int(), height: z.number().int() }), channels: z.number().int() }),
    sigma: z.number(),
    threshold: z.strictObject({ value: z.number(), percentile: z.number() }),
    training: z.strictObject({ images: z.number().int(), failed: z.number().int() }),
    /** Scores of the held-out normal scans the threshold is a percentile of. */
    calibrationScores: z.array(z.number()),
    /** Files that could not be read (fitting goes on without them). */
    rows: z.array(z.strictObject({ file: z.string(), error: z.string() })),
  }),
  z.strictObject({ ...anomalyBase, subcommand: z.literal('score'), rows: z.array(AnomalyRow) }),
  /** `anomaly add`: new normal scans folded into a saved detector (detector.threshold is the one set again on the new held-out scans). */
  z.strictObject({
    ...anomalyBase,
    subcommand: z.literal('add'),
    previous: z.strictObject({ threshold: z.number(), images: z.number().int() }),
    added: z.number().int(),
    images: z.number().int(),
    /** Scores of the new held-out normal scans the threshold is a percentile of. */
    calibrationScores: z.array(z.number()),
    written: z.boolean(),
    rows: z.array(z.strictObject({ file: z.string(), error: z.string() })),
  }),
  /** `anomaly threshold`: the detector's threshold chosen again on held-out scans (detector.threshold is the new one). */
  z.strictObject({
    ...anomalyBase,
    subcommand: z.literal('threshold'),
    previous: z.number(),
    chosen: z.strictObject({
      rule: z.enum(['fpr', 'f1']),
      fpr: z.number().optional(),
      normal: z.number().int(),
      anomalous: z.number().int(),
      falsePositiveRate: z.number(),
      recall: z.number().optional(),
      f1: z.number().optional(),
    }),
    /** Whether the detector file was rewritten (not under `scanlens run --check`). */
    written: z.boolean(),
    normal: z.array(AnomalyRow),
    anomalous: z.array(AnomalyRow),
  }),
  z.strictObject({
    ...anomalyBase,
    subcommand: z.literal('eval'),
    threshold: z.number(),
    normal: z.array(AnomalyRow),
    anomalous: z.array(AnomalyRow),
    metrics: z.strictObject({
      normal: z.number().int(),
      anomalous: z.number().int(),
      auroc: z.number(),
      aupr: z.number(),
      atThreshold: confusionAt,
      bestF1: confusionAt,
      /** bins + 1 edges; counts per bin of each labelled set. */
      histogram: z.strictObject({ edges: z.array(z.number()), normal: z.array(z.number().int()), anomalous: z.array(z.number().int()) }),
    }),
    /** Anomalous as the positive class, one point per distinct score. */
    roc: z.strictObject({ fpr: z.array(z.number()), tpr: z.array(z.number()) }),
    /** With masks=: pixel AUROC and AUPRO (null when the pixels do not allow them), over the scans with a mask and the normal scans. */
    pixel: z
      .strictObject({
        images: z.number().int(),
        masked: z.number().int(),
        pixels: z.number().int(),
        anomalousPixels: z.number().int(),
        regions: z.number().int(),
        auroc: z.number().nullable(),
        aupro: z.number().nullable(),
        fprLimit: z.number(),
        /** Anomalous scans without a mask, left out. */
        unmasked: z.array(z.string()),
        /** Masks that could not be used. */
        failed: z.array(z.strictObject({ file: z.string(), error: z.string() })),
      })
      .optional(),
  }),
]);

export const NotebookResultSchema = z.discriminatedUnion('kind', [ModelResult, ClassifyResult, ExplainResult, PreprocessResult, InfoResult, VolumeResult, EvaluateResult, ExportResult, AnomalyResult]);
export type NotebookResult = z.infer<typeof NotebookResultSchema>;

/** Where an output came from: enough to redo it, nothing about a patient. */
export const ProvenanceSchema = z.strictObject({
  scanlensVersion: z.string(),
  command: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  model: z.strictObject({ name: z.string(), version: z.string(), sha256: z.string() }).nullable(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

import { z } from 'zod';

/**
 * The model manifest: a JSON file next to the .onnx that says how to feed the
 * model and how to read its output. Unknown keys are rejected so a typo in a
 * field name is reported instead of silently ignored.
 */

const positive = z.number().finite().positive();

/** How stored scan values become [0,1] before mean/std. */
export const IntensitySchema = z.discriminatedUnion('mode', [
  /** The storage type's full range: 8-bit /255, 16-bit /65535. */
  z.strictObject({ mode: z.literal('range') }),
  /** This image's own minimum and maximum. */
  z.strictObject({ mode: z.literal('minmax') }),
  /** This image's low and high percentiles, clipped. */
  z.strictObject({
    mode: z.literal('percentile'),
    low: z.number().min(0).max(100).default(0.5),
    high: z.number().min(0).max(100).default(99.5),
  }),
  /** A fixed window, or the scan's own display window when center/width are omitted. */
  z.strictObject({
    mode: z.literal('window'),
    center: z.number().finite().optional(),
    width: positive.optional(),
  }),
  /** (v − mean) / std over the whole input (population std, 1 when flat), as MONAI's NormalizeIntensity; not clipped, not [0,1]. */
  z.strictObject({ mode: z.literal('zscore') }),
]);

export const ResizeKernelSchema = z.enum(['nearest', 'linear', 'cubic', 'mitchell', 'lanczos2', 'lanczos3']);

export const StageNameSchema = z.enum(['denoise', 'clahe', 'sharpen', 'edges', 'normalize', 'skullstrip']);

/** A named MRI pipeline stage, with optional parameters for it. */
export const StageSchema = z.union([StageNameSchema, z.strictObject({ stage: StageNameSchema, params: z.record(z.string(), z.number()).default({}) })]);

/**
 * Most values one model input may have (width × height × channels): 4096² RGB,
 * 192 MiB as float32. Each side may be up to 8192, but an 8192² RGB input
 * (805 MB per tensor, several copies while preparing it) is refused when the
 * manifest is read, before any scan is prepared for it.
 */
export const MAX_INPUT_VALUES = 4096 * 4096 * 3;

const side = z.number().int().positive().max(8192);

/** Most channels a 3D model may take: one per MRI sequence, as many as multi-parametric protocols stack. */
export const MAX_VOLUME_CHANNELS = 16;

export const InputSchema = z.strictObject({
  /** Graph input name; the first input when omitted. */
  name: z.string().min(1).optional(),
  /** NCDHW: a 3D model, fed whole volumes (preprocess/volume3d.ts); its spatial axes run along R, A, S as MONAI's LoadImage + Orientation('RAS') give them. */
  layout: z.enum(['NCHW', 'NHWC', 'NCDHW']).default('NCHW'),
  /** 1 or 3 for a 2D model; a 3D model (NCDHW) takes 1 to MAX_VOLUME_CHANNELS, one per MRI sequence. */
  channels: z.number().int().min(1).max(MAX_VOLUME_CHANNELS),
  /**
   * NCDHW with several channels: the MRI sequence each channel holds, in channel order (e.g. t1, t1c, t2, flair).
   * A subject folder's files are matched to them by name (core/scan/sequenceNames.ts); without it a multi-channel
   * model takes a 4D NIfTI whose volumes are its channels, in file order.
   */
  sequences: z
    .array(z.string().regex(/^[a-z0-9]+$/, 'lowercase letters and digits (as in a file name: t1, t1c, t2, flair)'))
    .min(1)
    .max(MAX_VOLUME_CHANNELS)
    .optional(),
  /** For NCDHW, depth × height × width are the tensor's last three dimensions (R, A, S). */
  size: z.strictObject({ width: side, height: side, depth: side.optional() }),
  /** NCDHW only: the voxel spacing in mm (R, A, S) volumes are resampled to, linearly; without it they keep their own. */
  spacing: z.tuple([positive.max(100), positive.max(100), positive.max(100)]).optional(),
  resize: ResizeKernelSchema.default('linear'),
  /** fill: stretch to size; contain: letterbox with zeros; cover: centre crop. */
  fit: z.enum(['fill', 'contain', 'cover']).default('fill'),
  intensity: IntensitySchema.default({ mode: 'range' }),
  /** One value, or one per channel. */
  mean: z.array(z.number().finite()).min(1).max(MAX_VOLUME_CHANNELS).optional(),
  std: z.array(positive).min(1).max(MAX_VOLUME_CHANNELS).optional(),
});

export const OutputSchema = z.strictObject({
  /** Graph output name; the first output when omitted. */
  name: z.string().min(1).optional(),
  /** logits get a softmax; probabilities are used as they are. */
  type: z.enum(['logits', 'probabilities']).default('logits'),
  /** Temperature scaling of logits (softmax(logits / temperature)), as `scanlens train` fits it on validation scans. */
  temperature: positive.max(1000).optional(),
  /**
   * Conformal prediction sets (APS, core/train/conformal.ts), as `scanlens train --conformal` calibrates them:
   * each classified image gets its most probable classes until their probabilities reach `threshold`.
   */
  conformal: z
    .strictObject({
      method: z.literal('aps'),
      alpha: z.number().gt(0).lt(1),
      threshold: z.number().gt(0).max(1),
      /** The calibration scans the threshold was chosen on. */
      scans: z.number().int().positive(),
    })
    .optional(),
});

export const CardSchema = z.strictObject({
  description: z.string().optional(),
  intendedUse: z.string().optional(),
  limitations: z.string().optional(),
  data: z.string().optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  license: z.string().optional(),
  document: z.string().optional(),
});

export const ManifestSchema = z
  .strictObject({
    schema: z.literal('scanlens.model/1'),
    name: z.string().min(1).max(200),
    version: z.string().min(1).max(50),
    task: z.enum(['classification', 'anomaly', 'reconstruction', 'anomalib']).default('classification'),
    /** The .onnx file, relative to the manifest. */
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
    input: InputSchema,
    preprocessing: z.array(StageSchema).default([]),
    output: OutputSchema.default({ type: 'logits' }),
    labels: z.array(z.string().min(1)).min(1),
    explain: z.strictObject({ targetLayer: z.string().min(1).optional() }).optional(),
    /** Anomaly scoring: a reconstruction model's threshold and map smoothing, or the detector (folder, relative to the manifest) that guards a classifier. */
    anomaly: z
      .strictObject({
        threshold: z.number().finite().optional(),
        sigma: z.number().min(0).max(64).optional(),
        detector: z.string().min(1).optional(),
      })
      .optional(),
    card: CardSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const { width, height, depth } = m.input.size;
    const volume = m.input.layout === 'NCDHW';
    const values = width * height * (depth ?? 1) * m.input.channels;
    if (values > MAX_INPUT_VALUES) {
      ctx.addIssue({
        code: 'custom',
        path: ['input', 'size'],
        message: `${volume ? `${width}×${height}×${depth}` : `${width}×${height}`}×${m.input.channels} is ${values} values per input, over the limit of ${MAX_INPUT_VALUES} (4096×4096×3)`,
      });
    }
    if (volume && depth === undefined) ctx.addIssue({ code: 'custom', path: ['input', 'size', 'depth'], message: 'a 3D model (NCDHW) needs a depth' });
    if (!volume && depth !== undefined) ctx.addIssue({ code: 'custom', path: ['input', 'size', 'depth'], message: `is for 3D models (layout NCDHW); layout is ${m.input.layout}` });
    if (!volume && m.input.spacing) ctx.addIssue({ code: 'custom', path: ['input', 'spacing'], message: `is for 3D models (layout NCDHW); layout is ${m.input.layout}` });
    const { channels, sequences } = m.input;
    if (!volume && channels !== 1 && channels !== 3) ctx.addIssue({ code: 'custom', path: ['input', 'channels'], message: `a 2D model takes 1 or 3 channels, not ${channels}` });
    if (!volume && sequences) ctx.addIssue({ code: 'custom', path: ['input', 'sequences'], message: `is for 3D models (layout NCDHW); layout is ${m.input.layout}` });
    if (volume && sequences && sequences.length !== channels) {
      ctx.addIssue({ code: 'custom', path: ['input', 'sequences'], message: `names ${sequences.length} sequence(s) for ${channels} channel(s): one per channel` });
    }
    if (sequences && new Set(sequences).size !== sequences.length) ctx.addIssue({ code: 'custom', path: ['input', 'sequences'], message: 'names a sequence twice' });
    if (volume && m.preprocessing.length > 0) ctx.addIssue({ code: 'custom', path: ['preprocessing'], message: 'the MRI stages work on 2D slices; a 3D model (NCDHW) takes none' });
    if (volume && m.task !== 'classification') ctx.addIssue({ code: 'custom', path: ['task'], message: 'a 3D model (NCDHW) is a classifier' });
    if (volume && m.anomaly) ctx.addIssue({ code: 'custom', path: ['anomaly'], message: 'detectors score 2D slices; a 3D model (NCDHW) has none' });
    if (m.output.temperature !== undefined && m.output.type !== 'logits') {
      ctx.addIssue({ code: 'custom', path: ['output', 'temperature'], message: 'scales logits; an output of probabilities has none' });
    }
    for (const key of ['mean', 'std'] as const) {
      const values = m.input[key];
      if (values && values.length !== 1 && values.length !== m.input.channels) {
        ctx.addIssue({
          code: 'custom',
          path: ['input', key],
          message: `needs ${m.input.channels === 1 ? '1 value' : `1 value or ${m.input.channels} (one per channel)`}, got ${values.length}`,
        });
      }
    }
  });

export type Manifest = z.infer<typeof ManifestSchema>;

/** True for a 3D model, whose input is a whole volume (layout NCDHW). */
export const isVolumeModel = (manifest: Pick<Manifest, 'input'>): boolean => manifest.input.layout === 'NCDHW';
export type InputSpec = z.infer<typeof InputSchema>;
export type Intensity = z.infer<typeof IntensitySchema>;
export type Stage = z.infer<typeof StageSchema>;
export type StageName = z.infer<typeof StageNameSchema>;
export type ResizeKernel = z.infer<typeof ResizeKernelSchema>;

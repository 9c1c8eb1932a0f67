import { z } from 'zod';
import { METHODS as DETECTOR_METHODS } from '../../core/anomaly/detector';
import { CAM_METHODS, CAM_SMOOTHING } from '../../core/vocabulary/camMethods';
import { EXECUTION_PROVIDERS } from '../../core/model/executionProviders';
import { StageNameSchema } from '../../core/model/manifest';
import { CLASSIC_PIPELINE } from '../../core/preprocess/classicPipeline';
import { COLORMAPS } from '../../core/render/colormaps';
import { SLICE_AXES } from '../../core/scan/reslice';

/** A whole number from option text, with a message a person can act on. */
const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().min(min, { error: `expected a whole number of at least ${min}` }));

const unitNumber = z
  .string()
  .regex(/^(\d+(\.\d*)?|\.\d+)$/, { error: 'expected a number between 0 and 1' })
  .transform(Number)
  .pipe(z.number().max(1, { error: 'expected a number between 0 and 1' }));

/** Comma-separated stage names; 'classic' stands for the classic six. */
const stageList = z
  .string()
  .transform((text) => text.split(',').flatMap((s) => (s.trim() === 'classic' ? [...CLASSIC_PIPELINE] : [s.trim()])))
  .pipe(z.array(StageNameSchema, { error: `expected stages from ${StageNameSchema.options.join(', ')}, or classic` }));

const choice = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of ${values.join(', ')}` });

/** A decimal number from option text, optionally bounded. */
const decimal = (min = -Infinity, max = Infinity) => {
  const range = Number.isFinite(min) ? `a number from ${min} to ${max}` : 'a number';
  return z
    .string()
    .regex(/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, { error: `expected ${range}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected ${range}` })
        .max(max, { error: `expected ${range}` }),
    );
};

const gridSize = z
  .string()
  .regex(/^\d+x\d+$/, { error: 'expected WxH, e.g. 16x16' })
  .transform((text) => text.split('x').map(Number) as [number, number])
  .refine(([w, h]) => w >= 1 && h >= 1 && w <= 256 && h <= 256, { error: 'expected WxH with each side 1…256' })
  .transform(([width, height]) => ({ width, height }));

export interface OptionSpec {
  readonly description: string;
  /** Allowed values, for completion; absent for free text and numbers. */
  readonly values?: readonly string[];
}

/** What a command takes: positional arguments and options, each with help for completion. */
export interface CommandSpec {
  readonly description: string;
  /** Words after the command (and its sub-command) such as `<file>`. */
  readonly usage: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Whether positional arguments are paths (resolved against the notebook, completed as paths). */
  readonly pathArgs: boolean;
  readonly subcommands?: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Per subcommand: its own usage, argument count and which of the options it takes (the parser holds lines to them). */
  readonly subcommandSpecs?: Readonly<Record<string, SubcommandSpec>>;
  readonly schema: z.ZodType;
}

export interface SubcommandSpec {
  readonly usage: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly options: readonly string[];
}

const methods = [...CAM_METHODS] as [string, ...string[]];
const axes = [...SLICE_AXES] as [string, ...string[]];

/** axis= and slice= of the commands that work on one slice of a volume. */
const sliceOptions = { axis: choice(axes).optional(), slice: wholeNumber(0).optional() };
const sliceSpecs: Readonly<Record<'axis' | 'slice', OptionSpec>> = {
  axis: { description: 'for a volume: the plane, as classify and volume cut it (default: axial)', values: SLICE_AXES },
  slice: { description: 'for a volume: the slice along axis=, from 0 (default: the middle slice)' },
};

export const OPTION_SCHEMAS = {
  model: z.strictObject({ threads: wholeNumber(1).optional(), provider: choice(EXECUTION_PROVIDERS).optional() }),
  classify: z.strictObject({ top: wholeNumber(1).optional(), batch: wholeNumber(1).optional(), axis: choice([...SLICE_AXES] as [string, ...string[]]).optional() }),
  explain: z.strictObject({
    method: choice(methods).optional(),
    class: z.string().min(1).optional(),
    layer: z.string().min(1).optional(),
    colormap: choice([...COLORMAPS] as [string, ...string[]]).optional(),
    alpha: unitNumber.optional(),
    ...sliceOptions,
    smooth: choice([...CAM_SMOOTHING]).optional(),
    score: choice(['true', 'false']).optional(),
    mask: z.string().min(1).optional(),
    seed: wholeNumber(0).optional(),
  }),
  preprocess: z.strictObject({ stages: stageList.optional(), ...sliceOptions }),
  info: z.strictObject({}),
  volume: z.strictObject({ axis: choice(axes).optional(), volume: wholeNumber(0).optional(), batch: wholeNumber(1).optional() }),
  evaluate: z.strictObject({ batch: wholeNumber(1).optional() }),
  export: z.strictObject({ format: choice(['csv', 'json']).optional(), overwrite: choice(['true', 'false']).optional() }),
  // The command line's flags by the same names (--bank-size has no cell option: option names are letters only).
  anomaly: z.strictObject({
    detector: z.string().min(1).optional(),
    backbone: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    threshold: decimal().optional(),
    maps: choice(['true', 'false']).optional(),
    volume: choice(['true', 'false']).optional(),
    fpr: decimal(0, 1).optional(),
    best: choice(['f1']).optional(),
    bank: wholeNumber(1).optional(),
    bins: wholeNumber(1).optional(),
    masks: z.string().min(1).optional(),
    method: choice(DETECTOR_METHODS).optional(),
    layers: z.string().min(1).optional(),
    channels: wholeNumber(1).optional(),
    grid: gridSize.optional(),
    seed: wholeNumber(0).optional(),
    percentile: decimal(0, 100).optional(),
    sigma: decimal(0, 64).optional(),
    ...sliceOptions,
  }),
  train: z.strictObject({
    out: z.string().min(1).optional(),
    val: z.string().min(1).optional(),
    seed: wholeNumber(0).optional(),
    conformal: decimal(0, 1).optional(),
    finetune: wholeNumber(1).optional(),
    epochs: wholeNumber(1).optional(),
    batch: wholeNumber(1).optional(),
    lr: decimal(0, 1).optional(),
    decay: decimal(0, 1).optional(),
    patience: wholeNumber(1).optional(),
  }),
} as const;

export type CommandName = keyof typeof OPTION_SCHEMAS;

export const COMMAND_SPECS: Readonly<Record<CommandName, CommandSpec>> = {
  model: {
    description: 'use this model for the following commands (manifest, bare .onnx, or folder)',
    usage: '<model.json|model.onnx|folder>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: { threads: { description: 'onnxruntime threads' }, provider: { description: 'onnxruntime execution provider (default: cpu)', values: EXECUTION_PROVIDERS } },
    schema: OPTION_SCHEMAS.model,
  },
  classify: {
    description: 'class probabilities for scans: files, folders or globs',
    usage: '<file|folder|glob>...',
    minArgs: 1,
    maxArgs: Infinity,
    pathArgs: true,
    options: {
      top: { description: 'classes ranked per file' },
      batch: { description: 'images per inference batch' },
      axis: { description: 'for volumes and DICOM series: the plane classified slice by slice (default: axial)', values: SLICE_AXES },
    },
    schema: OPTION_SCHEMAS.classify,
  },
  explain: {
    description: 'class-activation map over one scan',
    usage: '<file>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {
      method: { description: 'explanation method', values: CAM_METHODS },
      class: { description: 'class label or index (default: the top class)' },
      layer: { description: 'target tensor' },
      colormap: { description: 'overlay colormap', values: COLORMAPS },
      alpha: { description: 'overlay opacity, 0…1' },
      ...sliceSpecs,
      smooth: { description: "pytorch-grad-cam's smoothing: eigen (eigen_smooth, gradient methods), aug (aug_smooth, six flipped and scaled inputs) or both", values: CAM_SMOOTHING },
      score: { description: 'also show the trust scorecard: confidence drop, deletion/insertion AUC, ROAD, the randomisation check (default: false)', values: ['true', 'false'] },
      mask: { description: "a mask on the scan's grid (PNG or NIfTI, non-zero inside): pointing game and relevance mass; implies score=true" },
      seed: { description: "with score=: seed of the randomisation check's re-initialised weights (default 42), as --score-seed" },
    },
    schema: OPTION_SCHEMAS.explain,
  },
  preprocess: {
    description: "each step of the model's own preprocessing, ending with its input (stages=: a gallery of stages instead)",
    usage: '<file>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {
      stages: { description: "a gallery of these comma-separated stages instead of the model's pipeline (classic: the classic six)", values: [...StageNameSchema.options, 'classic'] },
      ...sliceSpecs,
    },
    schema: OPTION_SCHEMAS.preprocess,
  },
  info: {
    description: 'format, size, bit depth and value statistics of a scan',
    usage: '<file>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {},
    schema: OPTION_SCHEMAS.info,
  },
  volume: {
    description: 'classify a volume (NIfTI) slice by slice',
    usage: '<file.nii|file.nii.gz>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {
      axis: { description: 'slicing plane', values: SLICE_AXES },
      volume: { description: 'for 4D NIfTI: which volume, from 0' },
      batch: { description: 'slices per inference batch' },
    },
    schema: OPTION_SCHEMAS.volume,
  },
  evaluate: {
    description: 'accuracy, precision/recall, confusion matrix and ROC AUC over labelled scans (a CSV file,label or a folder of class folders)',
    usage: '<labels.csv|folder>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: { batch: { description: 'images per inference batch' } },
    schema: OPTION_SCHEMAS.evaluate,
  },
  export: {
    description: 'write the last table as CSV or JSON',
    usage: '<file.csv|file.json>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {
      format: { description: 'csv or json (default: from the file name)', values: ['csv', 'json'] },
      overwrite: { description: 'replace a file that an earlier export did not write (default: false)', values: ['true', 'false'] },
    },
    schema: OPTION_SCHEMAS.export,
  },
  anomaly: {
    description: 'anomaly detection: fit a detector on normal scans, score scans against it, evaluate it on normal and anomalous scans',
    usage: 'fit|score|eval <file|folder>...',
    minArgs: 1,
    maxArgs: Infinity,
    pathArgs: true,
    subcommands: ['fit', 'score', 'eval', 'threshold', 'add'],
    subcommandSpecs: {
      fit: { usage: '<normal folder>', minArgs: 1, maxArgs: 1, options: ['out', 'backbone', 'method', 'layers', 'channels', 'grid', 'seed', 'percentile', 'sigma'] },
      score: { usage: '<file|folder|glob>...', minArgs: 1, maxArgs: Infinity, options: ['detector', 'backbone', 'threshold', 'maps', 'axis', 'slice', 'volume'] },
      eval: { usage: '<normal folder> <anomalous folder>', minArgs: 2, maxArgs: 2, options: ['detector', 'backbone', 'threshold', 'bins', 'masks', 'maps', 'axis', 'slice'] },
      threshold: { usage: '<normal folder> [anomalous folder] detector=<folder> fpr=<f> | best=f1', minArgs: 1, maxArgs: 2, options: ['detector', 'fpr', 'best', 'axis', 'slice'] },
      add: { usage: '<normal file|folder|glob>... detector=<folder>', minArgs: 1, maxArgs: Infinity, options: ['detector', 'bank'] },
    },
    options: {
      detector: { description: 'detector folder, anomalib export or reconstruction model (default: the one fitted last in this notebook)' },
      backbone: { description: "fit: backbone model (default: the current model); score, eval: the detector's backbone if it has moved" },
      out: { description: 'fit: save the detector as this folder (default: keep it for this notebook only)' },
      threshold: { description: "override the detector's threshold (lower flags more)" },
      maps: { description: 'show each scan with its anomaly map over it (default: false)', values: ['true', 'false'] },
      bins: { description: 'eval: histogram bins (default: 10)' },
      masks: { description: "eval: folder of ground-truth masks on the scans' grids, named as their scans (or <name>_mask): adds pixel AUROC and AUPRO" },
      method: { description: 'fit: detector (default: padim)', values: DETECTOR_METHODS },
      layers: { description: 'fit: comma-separated backbone tensors to take features from' },
      channels: { description: 'fit: random channel subset size (default: 32)' },
      grid: { description: "fit: feature grid WxH (default: the deepest layer's size)" },
      seed: { description: 'fit: seed for channel and coreset choices (default: 0)' },
      percentile: { description: 'fit: threshold = this percentile of held-out normal scores (default: 95)' },
      sigma: { description: 'fit: Gaussian smoothing of the map, pixels (default: 4)' },
      axis: { description: 'score, eval: for a volume, the plane to score, as classify cuts it (default: axial)', values: SLICE_AXES },
      slice: { description: 'score, eval: for a volume, the slice along axis=, from 0 (default: the middle slice)' },
      volume: { description: "score: a volume's every slice along axis=, its score the highest slice score, with the profile (default: false)", values: ['true', 'false'] },
      fpr: { description: 'threshold: the share of the normal scans the new threshold may flag, from 0 to 1' },
      best: { description: 'threshold: best=f1 takes the threshold with the best F1 on the normal and anomalous scans', values: ['f1'] },
      bank: { description: "add: a PatchCore detector's memory bank size after re-condensing (default: its size now)" },
    },
    schema: OPTION_SCHEMAS.anomaly,
  },
  train: {
    description: 'train a classifier on labelled scans (a folder of class folders or a CSV file,label): a linear probe on the current model, optionally fine-tuned (finetune=K), saved as a new model',
    usage: '<folder|labels.csv> out=<folder>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {
      out: { description: 'folder for the new model (model.onnx, model.json, MODEL_CARD.md, training-log.json); required' },
      val: { description: 'validation scans in the same form (default: a seeded, stratified fifth of the training scans)' },
      seed: { description: 'seed of the split and the cross-validation folds (default: 0)' },
      conformal: {
        description: 'calibrate conformal prediction sets (APS) at this alpha on the validation scans: classify then gives each scan a set holding the true class at least 1 − alpha of the time',
      },
      finetune: {
        description:
          'after the probe, fine-tune the head and the last K blocks before it (a block: a Conv, Gemm or MatMul with stored weights plus a BatchNorm/LayerNorm reading its output) with AdamW on augmented mini-batches, stopping on the validation loss; loss and accuracy curves update each epoch',
      },
      epochs: { description: 'fine-tuning: most epochs (default: 20)' },
      batch: { description: 'fine-tuning: scans per mini-batch (default: 16)' },
      lr: { description: 'fine-tuning: AdamW learning rate (default: 0.0001)' },
      decay: { description: 'fine-tuning: AdamW decoupled weight decay (default: 0.01)' },
      patience: { description: 'fine-tuning: stop after this many epochs without a lower validation loss (default: 3)' },
    },
    schema: OPTION_SCHEMAS.train,
  },
};

export const COMMAND_NAMES = Object.keys(COMMAND_SPECS) as CommandName[];

import { z } from 'zod';
import { METHODS } from '../../core/explain/explain';
import { EXECUTION_PROVIDERS } from '../../core/model/executionProviders';
import { StageNameSchema } from '../../core/model/manifest';
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

const stageList = z
  .string()
  .transform((text) => text.split(',').map((s) => s.trim()))
  .pipe(z.array(StageNameSchema, { error: `expected stages from ${StageNameSchema.options.join(', ')}` }));

const choice = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `expected one of ${values.join(', ')}` });

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
  readonly schema: z.ZodType;
}

const methods = [...METHODS] as [string, ...string[]];

export const OPTION_SCHEMAS = {
  model: z.strictObject({ threads: wholeNumber(1).optional(), provider: choice(EXECUTION_PROVIDERS).optional() }),
  classify: z.strictObject({ top: wholeNumber(1).optional(), batch: wholeNumber(1).optional() }),
  explain: z.strictObject({
    method: choice(methods).optional(),
    class: z.string().min(1).optional(),
    layer: z.string().min(1).optional(),
    colormap: choice([...COLORMAPS] as [string, ...string[]]).optional(),
    alpha: unitNumber.optional(),
  }),
  preprocess: z.strictObject({ stages: stageList.optional() }),
  info: z.strictObject({}),
  volume: z.strictObject({ axis: choice([...SLICE_AXES] as [string, ...string[]]).optional(), volume: wholeNumber(0).optional(), batch: wholeNumber(1).optional() }),
  evaluate: z.strictObject({ batch: wholeNumber(1).optional() }),
  export: z.strictObject({ format: choice(['csv', 'json']).optional(), overwrite: choice(['true', 'false']).optional() }),
  anomaly: z.strictObject({ detector: z.string().optional(), out: z.string().optional() }),
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
    options: { top: { description: 'classes ranked per file' }, batch: { description: 'images per inference batch' } },
    schema: OPTION_SCHEMAS.classify,
  },
  explain: {
    description: 'class-activation map over one scan',
    usage: '<file>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: {
      method: { description: 'explanation method', values: METHODS },
      class: { description: 'class label or index (default: the top class)' },
      layer: { description: 'target tensor' },
      colormap: { description: 'overlay colormap', values: COLORMAPS },
      alpha: { description: 'overlay opacity, 0…1' },
    },
    schema: OPTION_SCHEMAS.explain,
  },
  preprocess: {
    description: 'one image per preprocessing stage',
    usage: '<file>',
    minArgs: 1,
    maxArgs: 1,
    pathArgs: true,
    options: { stages: { description: 'comma-separated stages', values: StageNameSchema.options } },
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
    description: 'anomaly detection: fit a detector on normal scans, score, evaluate',
    usage: 'fit|score|eval <file|folder>...',
    minArgs: 1,
    maxArgs: Infinity,
    pathArgs: true,
    subcommands: ['fit', 'score', 'eval'],
    options: { detector: { description: 'detector file' }, out: { description: 'where to save a fitted detector' } },
    schema: OPTION_SCHEMAS.anomaly,
  },
};

export const COMMAND_NAMES = Object.keys(COMMAND_SPECS) as CommandName[];

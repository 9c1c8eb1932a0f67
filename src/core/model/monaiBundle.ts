import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ScanLensError, oneLine } from '../errors';
import { readRegularFile } from '../io/regularFile';
import { sequenceName } from '../scan/sequenceNames';
import type { InputSpec, Intensity } from './manifest';

/**
 * A MONAI bundle (docs.monai.io, "MONAI Bundle Specification") that ships its
 * network as ONNX: `models/model.onnx` beside `configs/metadata.json`, whose
 * `network_data_format` describes the input and output tensors, and usually
 * `configs/inference.json`, whose preprocessing transforms say how a volume
 * becomes that input. Read so a bundle runs with no manifest; every value taken
 * from it, and every transform not applied, is said in the model's assumptions.
 */

/** Largest bundle config read: metadata and inference configs are a few kB. */
const MAX_CONFIG_BYTES = 1024 * 1024;

const TensorFormatSchema = z.looseObject({
  type: z.string().optional(),
  format: z.string().optional(),
  num_channels: z.number().int().positive().optional(),
  // Numbers, or expressions such as "8*n" for sizes the network accepts.
  spatial_shape: z.array(z.union([z.number(), z.string()])).optional(),
  channel_def: z.record(z.string(), z.string()).optional(),
});

const MetadataSchema = z.looseObject({
  network_data_format: z.looseObject({
    inputs: z.record(z.string(), TensorFormatSchema),
    outputs: z.record(z.string(), TensorFormatSchema),
  }),
});

const TransformSchema = z.looseObject({ _target_: z.string() });
const InferenceSchema = z.looseObject({
  preprocessing: z.looseObject({ transforms: z.array(z.unknown()) }).optional(),
});

/** What the bundle declares, in the manifest's terms. */
export interface BundleFacts {
  /** configs/metadata.json */
  readonly metadataPath: string;
  /** The output's channel_def in index order, when it names every class. */
  readonly labels?: string[];
  /** A multi-channel input's channel_def, as sequence names (t1c, flair) in channel order. */
  readonly sequences?: string[];
  /** The input's spatial_shape when every entry is a number: [D, H, W] for a 3D input, [H, W] for a 2D one. */
  readonly spatialShape?: number[];
  /** From configs/inference.json's preprocessing, for a 3D input. */
  readonly preprocessing?: Partial<Pick<InputSpec, 'spacing' | 'intensity' | 'mean' | 'std'>> & { readonly size?: number[] };
  /** Each value read, and each transform not applied, in words. */
  readonly notes: string[];
}

/** The bundle folder of a model.onnx: the parent of its `models/` folder, else its own folder. */
function bundleRoot(onnxPath: string): string {
  const folder = dirname(onnxPath);
  return basename(folder) === 'models' ? dirname(folder) : folder;
}

/** A bundle folder's model.onnx, when `folder` is a bundle that ships one. */
export async function bundleModel(folder: string): Promise<string | undefined> {
  const metadata = await stat(join(folder, 'configs', 'metadata.json')).catch(() => undefined);
  const onnx = await stat(join(folder, 'models', 'model.onnx')).catch(() => undefined);
  return metadata?.isFile() && onnx?.isFile() ? join(folder, 'models', 'model.onnx') : undefined;
}

async function readJson(path: string): Promise<unknown> {
  const bytes = await readRegularFile(path, MAX_CONFIG_BYTES, 'bundle config');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ScanLensError(`not JSON (${oneLine(error)})`, path);
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ScanLensError(`not a MONAI bundle config: ${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'unexpected shape'}`, path);
}

/** channel_def {"0": "a", "1": "b"} as ["a", "b"], when its keys are exactly 0…n−1. */
function channelNames(def: Record<string, string> | undefined, count: number | undefined): string[] | undefined {
  const n = def ? Object.keys(def).length : 0;
  if (!def || n === 0 || (count !== undefined && n !== count)) return undefined;
  const names = Array.from({ length: n }, (_, i) => def[String(i)]);
  return names.every((name): name is string => typeof name === 'string') ? names : undefined;
}

/** A transform's short name: "monai.transforms.Spacingd" and "Spacingd" are both Spacing. */
function transformName(target: string): string {
  return (target.split('.').at(-1) ?? target).replace(/d$/, '');
}

const isReference = (value: unknown): boolean => typeof value === 'string' && /^[@$%]/.test(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const triple = (value: unknown): number[] | undefined => {
  if (num(value) !== undefined) return [value as number, value as number, value as number];
  return Array.isArray(value) && value.length === 3 && value.every((v) => num(v) !== undefined) ? (value as number[]) : undefined;
};

/**
 * The 3D preprocessing of inference.json in the manifest's terms: RAS orientation,
 * resampling to `pixdim`, one intensity step (clipped to [0,1] as the manifest's
 * window, minmax and percentile modes are), affine output ranges and NormalizeIntensity's
 * subtrahend/divisor folded into mean/std, and the crop or pad size.
 */
function preprocessingOf(transforms: readonly unknown[], path: string): { facts: NonNullable<BundleFacts['preprocessing']>; notes: string[]; acrossChannels: string[] } {
  const notes: string[] = [];
  // Transforms whose statistics MONAI takes over all channels together (channel_wise not true); ScanLens takes each channel's own.
  const acrossChannels: string[] = [];
  const statistics = (t: Record<string, unknown> & { _target_: string }): void => {
    if (t.channel_wise !== true) acrossChannels.push(t._target_);
  };
  let spacing: [number, number, number] | undefined;
  let intensity: Intensity | undefined;
  let size: number[] | undefined;
  // out = (v − mean) / std, composed as affine steps follow one another.
  let mean = 0;
  let std = 1;
  const affine = (subtract: number, divide: number): void => {
    mean += subtract * std;
    std *= divide;
  };
  const outputRange = (low: unknown, high: unknown): void => {
    const b0 = num(low) ?? 0;
    const b1 = num(high) ?? 1;
    if (b1 !== b0) affine(-b0 / (b1 - b0), 1 / (b1 - b0));
  };
  for (const raw of transforms) {
    const parsed = TransformSchema.safeParse(raw);
    if (!parsed.success) continue;
    const t = parsed.data as Record<string, unknown> & { _target_: string };
    const name = transformName(t._target_);
    const references = Object.entries(t).filter(([k, v]) => k !== '_target_' && k !== 'keys' && isReference(v));
    if (references.length > 0) {
      notes.push(`MONAI bundle: ${t._target_} not applied: ${references.map(([k]) => k).join(', ')} refer to other config entries`);
      continue;
    }
    switch (name) {
      case 'LoadImage':
      case 'EnsureChannelFirst':
      case 'AddChannel':
      case 'EnsureType':
      case 'ToTensor':
      case 'CastToType':
      case 'Identity':
        break;
      case 'Orientation': {
        const codes = typeof t.axcodes === 'string' ? t.axcodes.toUpperCase() : undefined;
        if (codes !== 'RAS') throw new ScanLensError(`${t._target_} orients volumes to ${String(t.axcodes)}; ScanLens feeds 3D models in RAS: write a manifest for this bundle`, path);
        break;
      }
      case 'Spacing': {
        const pixdim = triple(t.pixdim);
        if (!pixdim || pixdim.some((v) => !(v > 0))) notes.push(`MONAI bundle: ${t._target_} not applied: pixdim ${JSON.stringify(t.pixdim)} is not three positive numbers`);
        else spacing = pixdim as [number, number, number];
        break;
      }
      case 'ScaleIntensityRange': {
        const [a0, a1] = [num(t.a_min), num(t.a_max)];
        if (a0 === undefined || a1 === undefined || a1 <= a0) {
          notes.push(`MONAI bundle: ${t._target_} not applied: a_min/a_max are not an increasing pair of numbers`);
          break;
        }
        intensity = { mode: 'window', center: (a0 + a1) / 2, width: a1 - a0 };
        if (t.clip !== true) notes.push(`MONAI bundle: ${t._target_} does not clip; ScanLens clips to [a_min, a_max]`);
        outputRange(t.b_min, t.b_max);
        break;
      }
      case 'ScaleIntensityRangePercentiles': {
        const [low, high] = [num(t.lower), num(t.upper)];
        if (low === undefined || high === undefined || low >= high) {
          notes.push(`MONAI bundle: ${t._target_} not applied: lower/upper are not an increasing pair of percentiles`);
          break;
        }
        intensity = { mode: 'percentile', low, high };
        statistics(t);
        if (t.clip !== true) notes.push(`MONAI bundle: ${t._target_} does not clip; ScanLens clips to the percentiles`);
        if (t.relative === true) notes.push(`MONAI bundle: ${t._target_} relative=true not applied`);
        outputRange(t.b_min, t.b_max);
        break;
      }
      case 'ScaleIntensity':
        intensity = { mode: 'minmax' };
        statistics(t);
        outputRange(t.minv, t.maxv);
        break;
      case 'NormalizeIntensity': {
        const [subtrahend, divisor] = [num(t.subtrahend), num(t.divisor)];
        if (t.nonzero === true) notes.push(`MONAI bundle: ${t._target_} nonzero=true not applied: the whole volume's statistics are used`);
        if (subtrahend !== undefined || divisor !== undefined) affine(subtrahend ?? 0, divisor ?? 1);
        else {
          // A z-score is the same whatever affine scaling came before it.
          if (intensity && intensity.mode !== 'minmax') notes.push(`MONAI bundle: the clipping of ${intensity.mode} before ${t._target_} not applied`);
          intensity = { mode: 'zscore' };
          statistics(t);
          [mean, std] = [0, 1];
        }
        break;
      }
      case 'ResizeWithPadOrCrop':
      case 'CenterSpatialCrop':
      case 'SpatialPad': {
        const spatial = triple(t.spatial_size);
        if (!spatial || spatial.some((v) => !Number.isInteger(v) || v <= 0)) notes.push(`MONAI bundle: ${t._target_} not applied: spatial_size ${JSON.stringify(t.spatial_size)}`);
        else size = spatial;
        break;
      }
      default:
        notes.push(`MONAI bundle: ${t._target_} not applied (ScanLens has no equivalent)`);
    }
  }
  const facts = {
    ...(spacing ? { spacing } : {}),
    ...(intensity ? { intensity } : {}),
    ...(mean !== 0 || std !== 1 ? { mean: [mean], std: [std] } : {}),
    ...(size ? { size } : {}),
  };
  return { facts, notes, acrossChannels };
}

/**
 * The bundle around `onnxPath`, or undefined when it is not in one. A bundle
 * config that is there but unreadable or malformed is an error naming it.
 */
export async function readMonaiBundle(onnxPath: string): Promise<BundleFacts | undefined> {
  const root = bundleRoot(onnxPath);
  const metadataPath = join(root, 'configs', 'metadata.json');
  if (!(await stat(metadataPath).catch(() => undefined))) return undefined;
  const metadata = checked(MetadataSchema, await readJson(metadataPath), metadataPath);
  const notes = [`MONAI bundle: input and output read from ${join(basename(root), 'configs', 'metadata.json')}`];
  const [inputName, input] = Object.entries(metadata.network_data_format.inputs)[0] ?? [];
  const [, output] = Object.entries(metadata.network_data_format.outputs)[0] ?? [];
  // Several input channels are MRI sequences (BraTS: {"0": "T1c", "1": "T1", "2": "T2", "3": "FLAIR"}), matched to files by name.
  const channels = input?.num_channels ?? 1;
  const sequences = channels > 1 ? channelNames(input?.channel_def, channels)?.map(sequenceName) : undefined;
  if (sequences && (sequences.some((s) => s.length === 0) || new Set(sequences).size !== sequences.length)) {
    throw new ScanLensError(`input '${inputName}' channel_def ${JSON.stringify(input?.channel_def)} does not name each channel's sequence apart`, metadataPath);
  }
  if (channels > 1)
    notes.push(
      sequences ? `MONAI bundle: input channels are the sequences ${sequences.join(', ')} (channel_def)` : `MONAI bundle: input '${inputName}' has ${channels} channels and no channel_def naming them`,
    );
  const labels = channelNames(output?.channel_def, output?.num_channels);
  const shape = input?.spatial_shape;
  const spatialShape = shape && shape.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0) ? (shape as number[]) : undefined;
  const inferencePath = join(root, 'configs', 'inference.json');
  let preprocessing: BundleFacts['preprocessing'];
  if (await stat(inferencePath).catch(() => undefined)) {
    const inference = checked(InferenceSchema, await readJson(inferencePath), inferencePath);
    const transforms = inference.preprocessing?.transforms;
    if (transforms) {
      const read = preprocessingOf(transforms, inferencePath);
      preprocessing = read.facts;
      notes.push(`MONAI bundle: preprocessing read from ${join(basename(root), 'configs', 'inference.json')}`, ...read.notes);
      if (channels > 1 && read.acrossChannels.length > 0) {
        notes.push(`MONAI bundle: ${read.acrossChannels.join(', ')} without channel_wise=true takes statistics over all channels together; ScanLens takes each channel's own`);
      }
    }
  }
  return { metadataPath, ...(labels ? { labels } : {}), ...(sequences ? { sequences } : {}), ...(spatialShape ? { spatialShape } : {}), ...(preprocessing ? { preprocessing } : {}), notes };
}

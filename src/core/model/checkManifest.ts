import { basename } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import { ort } from '../native/ort';
import type { Manifest } from './manifest';

/**
 * A manifest is a claim about a graph; these checks hold it against the graph
 * when the model loads, so a manifest that lies fails there in one line naming
 * the field, instead of as negative "probabilities" or a raw onnxruntime error
 * at the first scan. First the declared shapes (onnxruntime's input and output
 * metadata: symbolic and unnamed dimensions accept anything, fixed ones must
 * match), then one probe run on a small input of the declared size for what
 * only the numbers can tell.
 */

type Dim = number | string;

const fixed = (d: Dim | undefined): d is number => typeof d === 'number' && d > 0;

/** A declared shape as people read it: symbolic dimensions by name, unnamed ones as '?'. */
export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (fixed(d) ? String(d) : typeof d === 'string' && d !== '' ? d : '?')).join(', ')}]`;
}

function metadata(session: InferenceSession, name: string, which: 'input' | 'output'): { type?: string; shape?: readonly Dim[] } {
  const meta = (which === 'input' ? session.inputMetadata : session.outputMetadata).find((m) => m.name === name);
  if (!meta || !meta.isTensor) return {};
  return { type: meta.type, shape: meta.shape.length > 0 ? meta.shape : undefined };
}

/** The graph's input or output the manifest names (the first when it names none). */
export function graphName(session: InferenceSession, manifest: Manifest, which: 'input' | 'output', manifestPath: string): string {
  const available = which === 'input' ? session.inputNames : session.outputNames;
  const wanted = manifest[which].name;
  if (wanted === undefined) {
    const first = available[0];
    if (first === undefined) throw new ScanLensError(`the graph has no ${which}s`, manifestPath);
    return first;
  }
  if (!available.includes(wanted)) {
    throw new ScanLensError(`field '${which}.name' says '${wanted}', but the graph's ${which}s are: ${available.join(', ')}`, manifestPath);
  }
  return wanted;
}

type Layout = 'NCHW' | 'NHWC';

/** Where channels, height and width sit in a 4-D input of this layout. */
const AXES: Record<Layout, { c: number; h: number; w: number }> = { NCHW: { c: 1, h: 2, w: 3 }, NHWC: { c: 3, h: 1, w: 2 } };

/** A 3D model's declared input [N, C, D, H, W] against its manifest: every fixed dimension must be the one it declares. */
function checkVolumeShape(shape: readonly Dim[], input: Manifest['input'], described: string, manifestPath: string): void {
  const lie = (field: string, says: string, but: string): ScanLensError => new ScanLensError(`field '${field}' says ${says}, but ${but}`, manifestPath);
  if (shape.length !== 5) throw lie('input.layout', 'NCDHW', `${described} has ${shape.length} dimensions ${shapeText(shape)}; a volume input has 5`);
  const { width, height, depth } = input.size;
  const [, c, d, h, w] = shape;
  if (fixed(c) && c !== input.channels) throw lie('input.channels', String(input.channels), `${described} has ${c} channel${c === 1 ? '' : 's'} (NCDHW ${shapeText(shape)})`);
  if ((fixed(d) && d !== depth) || (fixed(h) && h !== height) || (fixed(w) && w !== width)) {
    const side = (v: Dim | undefined): string => (fixed(v) ? String(v) : 'any');
    throw lie('input.size', `${depth}×${height}×${width} (depth×height×width)`, `${described} is ${side(d)}×${side(h)}×${side(w)} (NCDHW ${shapeText(shape)})`);
  }
}

/** The dims of a batch of `batch` inputs in the manifest's layout. */
export function inputDims(input: Manifest['input'], batch: number): number[] {
  const { layout, channels, size } = input;
  if (layout === 'NCDHW') return [batch, channels, size.depth!, size.height, size.width];
  return layout === 'NCHW' ? [batch, channels, size.height, size.width] : [batch, size.height, size.width, channels];
}

function agrees(shape: readonly Dim[], layout: Layout, channels: number, width: number, height: number): boolean {
  const { c, h, w } = AXES[layout];
  const ok = (d: Dim | undefined, want: number): boolean => !fixed(d) || d === want;
  return ok(shape[c], channels) && ok(shape[h], height) && ok(shape[w], width);
}

/**
 * The declared shapes against the manifest: one image input of float32 with
 * a free or single batch, channels, size and layout (a fixed dimension that
 * fits the other layout names input.layout, else channels, else size); for a
 * classifier, the values the output declares per input against the labels.
 * Throws at the first lie.
 */
export function checkDeclaredShapes(session: InferenceSession, manifest: Manifest, inputName: string, outputName: string, manifestPath: string): void {
  const file = basename(manifestPath);
  const lie = (field: string, says: string, but: string): ScanLensError => new ScanLensError(`field '${field}' says ${says}, but ${but}`, manifestPath);
  if (session.inputNames.length > 1) {
    throw new ScanLensError(`the graph has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); ScanLens feeds one image, so ${file} cannot describe it`, manifestPath);
  }
  const input = metadata(session, inputName, 'input');
  if (input.type !== undefined && input.type !== 'float32') {
    throw new ScanLensError(`the graph's input '${inputName}' takes ${input.type} tensors; ScanLens feeds float32`, manifestPath);
  }
  const { layout, channels, size } = manifest.input;
  const shape = input.shape;
  if (shape && layout === 'NCDHW') {
    if (fixed(shape[0]) && shape[0] !== 1) {
      throw new ScanLensError(`the graph's input '${inputName}' fixes the batch size at ${shape[0]} ${shapeText(shape)}; ScanLens runs batches of any size, or of 1`, manifestPath);
    }
    checkVolumeShape(shape, manifest.input, `the graph's input '${inputName}'`, manifestPath);
  } else if (shape && layout !== 'NCDHW') {
    const described = `the graph's input '${inputName}'`;
    if (shape.length !== 4) {
      throw lie(
        'input.layout',
        layout,
        `${described} has ${shape.length} dimensions ${shapeText(shape)}; an image input has 4${shape.length === 5 ? ", a 3D model's 5 (layout NCDHW, with size.depth)" : ''}`,
      );
    }
    if (fixed(shape[0]) && shape[0] !== 1) {
      throw new ScanLensError(`${described} fixes the batch size at ${shape[0]} ${shapeText(shape)}; ScanLens runs batches of any size, or of 1`, manifestPath);
    }
    if (!agrees(shape, layout, channels, size.width, size.height)) {
      const other: Layout = layout === 'NCHW' ? 'NHWC' : 'NCHW';
      if (agrees(shape, other, channels, size.width, size.height)) throw lie('input.layout', layout, `${described} is ${other} ${shapeText(shape)}`);
      const { c, h, w } = AXES[layout];
      const [dc, dh, dw] = [shape[c], shape[h], shape[w]];
      if (fixed(dc) && dc !== channels) throw lie('input.channels', String(channels), `${described} has ${dc} channel${dc === 1 ? '' : 's'} (${layout} ${shapeText(shape)})`);
      const graphSize = `${fixed(dw) ? dw : 'any width'}×${fixed(dh) ? dh : 'any height'}`;
      throw lie('input.size', `${size.width}×${size.height}`, `${described} is ${graphSize} (width×height; ${layout} ${shapeText(shape)})`);
    }
  }
  if (manifest.task === 'classification') {
    // What counts is the values per input: [batch, K] as well as [batch, K, 1, 1].
    const outShape = metadata(session, outputName, 'output').shape;
    const perInput = outShape?.length === 1 ? outShape : outShape?.slice(1);
    if (outShape && perInput && perInput.every(fixed)) {
      const values = (perInput as number[]).reduce((a, b) => a * b, 1);
      if (values !== manifest.labels.length) throw labelsLie(manifest.labels.length, `the graph's output '${outputName}' has ${values} values per input ${shapeText(outShape)}`, manifestPath);
    }
  }
}

function labelsLie(labels: number, but: string, manifestPath: string): ScanLensError {
  return new ScanLensError(`field 'labels' lists ${labels} label${labels === 1 ? '' : 's'}, but ${but}`, manifestPath);
}

/**
 * The probe: a mid-grey ramp (0.25 at one corner to 0.75 at the other, so a
 * graph that standardises its input sees no zero variance), scaled by the
 * manifest's mean and std, in its layout, batch 1. The value depends on x + y
 * only, so each row is a window into one table: a 224² RGB input takes 0.6 ms
 * even in a cold process, where a per-pixel loop took 6.
 */
export function probeInput(input: Manifest['input']): Float32Array {
  if (input.layout === 'NCDHW') return probeVolume(input);
  const { layout, channels, size, mean, std } = input;
  const { width, height } = size;
  const steps = width + height - 1;
  const table = new Float32Array(steps * channels);
  for (let c = 0; c < channels; c++) {
    const m = mean?.[c] ?? mean?.[0] ?? 0;
    const s = std?.[c] ?? std?.[0] ?? 1;
    // NCHW: one run of steps per channel; NHWC: channels interleaved per step.
    for (let k = 0; k < steps; k++) table[layout === 'NCHW' ? c * steps + k : k * channels + c] = (0.25 + (0.5 * k) / Math.max(1, steps - 1) - m) / s;
  }
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    if (layout === 'NHWC') data.set(table.subarray(y * channels, (y + width) * channels), y * width * channels);
    else for (let c = 0; c < channels; c++) data.set(table.subarray(c * steps + y, c * steps + y + width), (c * height + y) * width);
  }
  return data;
}

/** A 3D model's probe: the same mid-grey ramp, 0.25 at the first voxel to 0.75 at the last, scaled by the manifest's mean and std. */
function probeVolume(input: Manifest['input']): Float32Array {
  const n = inputDims(input, 1).reduce((a, b) => a * b, 1);
  const [m, s] = [input.mean?.[0] ?? 0, input.std?.[0] ?? 1];
  return Float32Array.from({ length: n }, (_, i) => (0.25 + (0.5 * i) / Math.max(1, n - 1) - m) / s);
}

/** Values within this of [0,1] still count as in it (float32 softmax). */
const RANGE_SLACK = 1e-5;
/** Declared probabilities must sum to 1 within this. */
const SUM_TOLERANCE = 1e-3;
/** Declared logits that sum to 1 within this (and lie in [0,1]) are a softmax's output: far tighter, so chance cannot trip it. */
const ALREADY_SOFTMAX_TOLERANCE = 1e-5;

function summary(values: ArrayLike<number>): { min: number; max: number; sum: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, sum };
}

const num = (v: number): string => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toFixed(4))));

export interface ProbeTarget {
  readonly session: InferenceSession;
  readonly manifest: Manifest;
  readonly inputName: string;
  readonly outputName: string;
  /** The manifest, or undefined for a bare .onnx (its manifest is read from the graph, so only the numbers are checked). */
  readonly manifestPath: string | undefined;
  readonly onnxPath: string;
}

/**
 * One run on the probe input. Every model must give finite float32 numbers;
 * a classifier's manifest must give one value per label, and its output.type
 * must be true to them: 'probabilities' in [0,1] summing to 1 (a single label:
 * in [0,1]), 'logits' not already a softmax's output (ScanLens would apply a
 * second one).
 */
export async function probeModel({ session, manifest, inputName, outputName, manifestPath, onnxPath }: ProbeTarget): Promise<void> {
  const { layout, channels, size } = manifest.input;
  const dims = inputDims(manifest.input, 1);
  const about = manifestPath ?? onnxPath;
  let output: Tensor;
  try {
    output = (await session.run({ [inputName]: new (ort().Tensor)('float32', probeInput(manifest.input), dims) }, [outputName]))[outputName]!;
  } catch (error) {
    const fields = manifestPath ? `: check input.channels, input.size and input.layout in ${basename(manifestPath)}` : '';
    const extent = layout === 'NCDHW' ? `${size.depth}×${size.height}×${size.width}` : `${size.width}×${size.height}`;
    throw new ScanLensError(`a probe run on one ${extent} ${channels}-channel ${layout} input failed${fields} (${oneLine(error)})`, about);
  }
  if (output.type !== 'float32') {
    // Classifiers and reconstructions are read as float32; anomalib exports (and bare graphs, which may be one) have outputs of their own kinds.
    if (manifestPath && manifest.task !== 'anomalib') throw new ScanLensError(`output '${outputName}' is ${output.type}; ScanLens reads float32`, onnxPath);
    return;
  }
  const values = output.data as Float32Array;
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new ScanLensError(`output '${outputName}' gave ${values[bad]} (value ${bad} of ${values.length}) on a probe input (a mid-grey ramp): the model's numbers cannot be trusted`, about);
  }
  if (!manifestPath || manifest.task !== 'classification') return;
  const labels = manifest.labels.length;
  if (values.length !== labels) {
    throw labelsLie(labels, `the graph's output '${outputName}' gave ${values.length} values for one input (${shapeText(output.dims)} on a probe run)`, manifestPath);
  }
  const { min, max, sum } = summary(values);
  const inRange = min >= -RANGE_SLACK && max <= 1 + RANGE_SLACK;
  if (manifest.output.type === 'probabilities') {
    if (!inRange || (labels > 1 && Math.abs(sum - 1) > SUM_TOLERANCE)) {
      throw new ScanLensError(
        `field 'output.type' says probabilities, but the graph's output '${outputName}' gave values from ${num(min)} to ${num(max)} summing to ${num(sum)} on a probe input: not probabilities (if the graph ends without a softmax, it gives logits)`,
        manifestPath,
      );
    }
  } else if (labels > 1 && inRange && Math.abs(sum - 1) <= ALREADY_SOFTMAX_TOLERANCE) {
    throw new ScanLensError(
      `field 'output.type' is logits (the default when left out), but the graph's output '${outputName}' gave values in [0,1] summing to 1 on a probe input: they are probabilities already, and ScanLens would apply a second softmax (set output.type to "probabilities")`,
      manifestPath,
    );
  }
}

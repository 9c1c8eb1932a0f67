import { attrInt, attrInts, attrString } from '../../onnx/attributes';
import { g0, input, normAxis, output, reshape, size, unbroadcast, type GradContext, type GradRule } from './gradContext';

/** Gradients of ops that move or select elements without changing them. */

const backToInputShape: GradRule = (ctx) => [reshape(ctx, g0(ctx), ctx.shape(input(ctx, 0)))];

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1]! * shape[i + 1]!;
  return out;
}

/**
 * dx for an op that copies input elements to output positions: scatters the
 * output gradient back to the flat input positions `sources` (one per output
 * element). Repeated sources need ScatterElements' add reduction (opset 16).
 */
export function scatterBack(ctx: GradContext, g: string, sources: string, inputShape: readonly number[], outputSize: number, repeats: boolean): string {
  if (repeats && ctx.opset < 16) throw new Error(`needs opset 16 to sum repeated positions; the model has opset ${ctx.opset}`);
  const zeros = ctx.b.constFloat(new Float32Array(size(inputShape)), [size(inputShape)]);
  const flat = ctx.b.op('ScatterElements', [zeros, sources, reshape(ctx, g, [outputSize])], repeats ? { axis: 0, reduction: 'add' } : { axis: 0 });
  return reshape(ctx, flat, inputShape);
}

/** The flat input position of every output element, for a per-axis index map. */
function gatherSources(inputShape: readonly number[], outputShape: readonly number[], pick: (axis: number, outIndex: number) => number): number[] {
  const inStrides = strides(inputShape);
  const outStrides = strides(outputShape);
  const total = size(outputShape);
  const sources = new Array<number>(total);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let source = 0;
    for (let axis = 0; axis < outputShape.length; axis++) {
      const k = Math.floor(rest / outStrides[axis]!);
      rest -= k * outStrides[axis]!;
      source += pick(axis, k) * inStrides[axis]!;
    }
    sources[flat] = source;
  }
  return sources;
}

function sliceGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const xShape = ctx.shape(x);
  const yShape = ctx.shape(output(ctx, 0));
  const starts = ctx.index.constantValues(input(ctx, 1), ctx.node);
  const axes = input(ctx, 3) ? ctx.index.constantValues(input(ctx, 3), ctx.node) : starts.map((_, i) => i);
  const steps = input(ctx, 4) ? ctx.index.constantValues(input(ctx, 4), ctx.node) : starts.map(() => 1);
  const first = xShape.map(() => 0);
  const step = xShape.map(() => 1);
  axes.forEach((a, i) => {
    const axis = normAxis(a, xShape.length);
    const dim = xShape[axis]!;
    const s = steps[i]!;
    let start = starts[i]!;
    if (start < 0) start += dim;
    // ONNX clamps starts to [0, dim] for positive steps and [0, dim-1] for negative ones.
    first[axis] = s > 0 ? Math.min(Math.max(start, 0), dim) : Math.min(Math.max(start, -1), dim - 1);
    step[axis] = s;
  });
  const sources = gatherSources(xShape, yShape, (axis, k) => first[axis]! + k * step[axis]!);
  return [scatterBack(ctx, g0(ctx), ctx.b.constInt64(sources), xShape, size(yShape), false)];
}

function gatherGrad(ctx: GradContext): (string | undefined)[] {
  if (ctx.needs[1]) throw new Error('Gather indices carry no gradient');
  const x = input(ctx, 0);
  const xShape = ctx.shape(x);
  const yShape = ctx.shape(output(ctx, 0));
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), xShape.length);
  const indices = ctx.index.constantValues(input(ctx, 1), ctx.node).map((i) => (i < 0 ? i + xShape[axis]! : i));
  const indexRank = yShape.length - xShape.length + 1;
  // Output axes are x's axes before `axis`, the index axes (collapsed to one here), then x's axes after it.
  const collapsed = [...yShape.slice(0, axis), indices.length, ...yShape.slice(axis + indexRank)];
  const sources = gatherSources(xShape, collapsed, (a, k) => (a === axis ? indices[k]! : k));
  const repeats = new Set(indices).size !== indices.length;
  return [scatterBack(ctx, g0(ctx), ctx.b.constInt64(sources), xShape, size(yShape), repeats)];
}

function concatGrad(ctx: GradContext): (string | undefined)[] {
  const outShape = ctx.shape(output(ctx, 0));
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), outShape.length);
  let offset = 0;
  return ctx.node.input.map((name, i) => {
    const len = ctx.shape(name)[axis]!;
    const start = offset;
    offset += len;
    if (!ctx.needs[i]) return undefined;
    return ctx.b.op('Slice', [g0(ctx), ctx.b.constInt64([start]), ctx.b.constInt64([start + len]), ctx.b.constInt64([axis])]);
  });
}

function splitGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), ctx.shape(x).length);
  const parts = ctx.node.output.map((name, i) => ctx.gy[i] ?? ctx.b.constFloat(new Float32Array(size(ctx.shape(name))), ctx.shape(name)));
  return [ctx.b.op('Concat', parts, { axis })];
}

function transposeGrad(ctx: GradContext): (string | undefined)[] {
  const rank = ctx.shape(input(ctx, 0)).length;
  const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.b.op('Transpose', [g0(ctx)], { perm: inverse })];
}

function padGrad(ctx: GradContext): (string | undefined)[] {
  if (attrString(ctx.node, 'mode', 'constant') !== 'constant') throw new Error('only constant-mode Pad is differentiated');
  const xShape = ctx.shape(input(ctx, 0));
  const pads = ctx.index.constantValues(input(ctx, 1), ctx.node);
  const axes = input(ctx, 3) ? ctx.index.constantValues(input(ctx, 3), ctx.node).map((a) => normAxis(a, xShape.length)) : xShape.map((_, i) => i);
  const begins = axes.map((_, i) => pads[i]!);
  if (pads.some((p) => p < 0)) throw new Error('Pad with negative (cropping) pads is not differentiated');
  const ends = axes.map((a, i) => begins[i]! + xShape[a]!);
  return [ctx.b.op('Slice', [g0(ctx), ctx.b.constInt64(begins), ctx.b.constInt64(ends), ctx.b.constInt64(axes)])];
}

/** Tile: each input element's gradient is the sum over its copies (reshape to [reps_i, dim_i] pairs, sum the reps). */
function tileGrad(ctx: GradContext): (string | undefined)[] {
  const xShape = ctx.shape(input(ctx, 0));
  const reps = ctx.index.constantValues(input(ctx, 1), ctx.node);
  const split = xShape.flatMap((d, i) => [reps[i]!, d]);
  const summed = ctx.b.op('ReduceSum', [reshape(ctx, g0(ctx), split), ctx.b.constInt64(xShape.map((_, i) => 2 * i))], { keepdims: 0 });
  return [summed];
}

export const shapeGrads: Record<string, GradRule> = {
  Reshape: backToInputShape,
  Flatten: backToInputShape,
  Squeeze: backToInputShape,
  Unsqueeze: backToInputShape,
  Transpose: transposeGrad,
  Expand: (ctx) => [unbroadcast(ctx, g0(ctx), ctx.shape(output(ctx, 0)), ctx.shape(input(ctx, 0)))],
  Concat: concatGrad,
  Split: splitGrad,
  Slice: sliceGrad,
  Gather: gatherGrad,
  Pad: padGrad,
  Tile: tileGrad,
};

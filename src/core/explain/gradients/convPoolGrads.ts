import { attrFloat, attrInt, attrInts, attrString } from '../../onnx/attributes';
import type { NodeProto } from '../../onnx/onnxSchema';
import { g0, input, output, reduceSum, reshape, size, type GradContext, type GradRule } from './gradContext';
import { scatterBack } from './shapeGrads';

/** Gradients of convolution, pooling and batch normalisation (NCHW, any number of spatial axes). */

interface Geometry {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly begin: number[];
  readonly end: number[];
}

/** Explicit pads for every auto_pad mode, from the runtime input and output sizes. */
function geometry(node: NodeProto, inSpatial: readonly number[], outSpatial: readonly number[], kernel: number[]): Geometry {
  const n = kernel.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const begin = pads.slice(0, n);
  const end = pads.slice(n, 2 * n);
  if (autoPad === 'VALID') {
    begin.fill(0);
    end.fill(0);
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    for (let i = 0; i < n; i++) {
      const total = Math.max(0, (outSpatial[i]! - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - inSpatial[i]!);
      begin[i] = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      end[i] = total - begin[i]!;
    }
  }
  return { kernel, strides, dilations, begin, end };
}

/**
 * The adjoint of a strided window op: ConvTranspose with the same geometry,
 * its output padded or cropped so it lands exactly on the input's size.
 */
function transposeBack(ctx: GradContext, g: string, weight: string, geo: Geometry, inSpatial: readonly number[], outSpatial: readonly number[], group: number): string {
  const end = [...geo.end];
  const outputPadding = inSpatial.map((size, i) => {
    const natural = (outSpatial[i]! - 1) * geo.strides[i]! + (geo.kernel[i]! - 1) * geo.dilations[i]! + 1 - geo.begin[i]! - end[i]!;
    if (natural > size) end[i] = end[i]! + natural - size;
    return Math.max(0, size - natural);
  });
  return ctx.b.op('ConvTranspose', [g, weight], {
    kernel_shape: geo.kernel,
    strides: geo.strides,
    dilations: geo.dilations,
    pads: [...geo.begin, ...end],
    output_padding: outputPadding,
    group,
  });
}

/**
 * d loss / d weight of a Conv, summed over the batch: for each group, a
 * convolution of the input (batch as channels) by the output gradient
 * (batch as input channels), with stride and dilation swapped, cropped to
 * the kernel. x [N, G·Cg, …] → [Cg, G·N, …] and g [N, G·Og, …] → [G·Og, N, …]
 * make one grouped Conv give [Cg, G·Og, …], transposed to the weight's
 * [G·Og, Cg, …].
 */
function convWeightGrad(ctx: GradContext, geo: Geometry, group: number): string {
  const x = input(ctx, 0);
  const [batch, channels, ...inSpatial] = ctx.shape(x) as [number, number, ...number[]];
  const [outChannels, perGroup] = ctx.shape(input(ctx, 1)) as [number, number];
  const spatial = inSpatial.map((_, i) => i + 3);
  const xT = reshape(ctx, ctx.b.op('Transpose', [reshape(ctx, x, [batch, group, perGroup, ...inSpatial])], { perm: [2, 1, 0, ...spatial] }), [perGroup, group * batch, ...inSpatial]);
  const gT = ctx.b.op('Transpose', [g0(ctx)], { perm: [1, 0, ...spatial.map((a) => a - 1)] });
  const outSpatial = ctx.shape(output(ctx, 0)).slice(2);
  const full = ctx.b.op('Conv', [xT, gT], {
    kernel_shape: outSpatial,
    strides: geo.dilations,
    dilations: geo.strides,
    pads: [...geo.begin, ...geo.end],
    group,
  });
  const rank = inSpatial.length + 2;
  const cropped = ctx.b.op('Slice', [full, ctx.b.constInt64(new Array<number>(rank).fill(0)), ctx.b.constInt64([perGroup, outChannels, ...geo.kernel])]);
  if (channels !== group * perGroup) throw new Error(`Conv input has ${channels} channels, its weights expect ${group}×${perGroup}`);
  return ctx.b.op('Transpose', [cropped], { perm: [1, 0, ...spatial.map((a) => a - 1)] });
}

function convGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const inSpatial = ctx.shape(x).slice(2);
  const kernel = attrInts(ctx.node, 'kernel_shape') ?? ctx.shape(w).slice(2);
  const outSpatial = ctx.shape(output(ctx, 0)).slice(2);
  const geo = geometry(ctx.node, inSpatial, outSpatial, kernel);
  const group = attrInt(ctx.node, 'group', 1);
  const gX = ctx.needs[0] ? transposeBack(ctx, g0(ctx), w, geo, inSpatial, outSpatial, group) : undefined;
  const gW = ctx.needs[1] ? convWeightGrad(ctx, geo, group) : undefined;
  const gB = ctx.needs[2] ? reshape(ctx, reduceSum(ctx, g0(ctx), [0, ...outSpatial.map((_, i) => i + 2)]), ctx.shape(input(ctx, 2))) : undefined;
  return [gX, gW, gB];
}

function averagePoolGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const [, channels, ...inSpatial] = ctx.shape(x) as [number, number, ...number[]];
  const outSpatial = ctx.shape(output(ctx, 0)).slice(2);
  const kernel = attrInts(ctx.node, 'kernel_shape')!;
  const geo = geometry(ctx.node, inSpatial, outSpatial, kernel);
  if (geo.dilations.some((d) => d !== 1)) throw new Error('dilated AveragePool is not differentiated');
  const includePad = attrInt(ctx.node, 'count_include_pad', 0) === 1;
  // Each output's divisor: the window's cells inside the input (or inside input + declared pads).
  const counts = outSpatial.map((n, axis) =>
    Array.from({ length: n }, (_, o) => {
      const start = o * geo.strides[axis]! - geo.begin[axis]!;
      const stop = start + kernel[axis]!;
      return includePad ? Math.min(stop, inSpatial[axis]! + geo.end[axis]!) - start : Math.min(stop, inSpatial[axis]!) - Math.max(start, 0);
    }),
  );
  const divisor = new Float32Array(size(outSpatial));
  divisor.forEach((_, flat) => {
    let rest = flat;
    let product = 1;
    for (let axis = outSpatial.length - 1; axis >= 0; axis--) {
      product *= counts[axis]![rest % outSpatial[axis]!]!;
      rest = Math.floor(rest / outSpatial[axis]!);
    }
    divisor[flat] = 1 / product;
  });
  const scaled = ctx.b.op('Mul', [g0(ctx), ctx.b.constFloat(divisor, [1, 1, ...outSpatial])]);
  const ones = ctx.b.constFloat(new Float32Array(channels * size(kernel)).fill(1), [channels, 1, ...kernel]);
  return [transposeBack(ctx, scaled, ones, geo, inSpatial, outSpatial, channels)];
}

function maxPoolGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const xShape = ctx.shape(x);
  const kernel = attrInts(ctx.node, 'kernel_shape')!;
  const strides = attrInts(ctx.node, 'strides') ?? kernel.map(() => 1);
  const dilations = attrInts(ctx.node, 'dilations') ?? kernel.map(() => 1);
  // A second MaxPool with the Indices output (flat positions in the whole input) routes each gradient to its maximum.
  const [, indices] = ctx.b.node('MaxPool', [x], ctx.node.attribute, 2);
  const outSize = size(ctx.shape(output(ctx, 0)));
  const overlapping = kernel.some((k, i) => (k - 1) * dilations[i]! + 1 > strides[i]!);
  const flatIndices = reshape(ctx, indices!, [outSize]);
  return [scatterBack(ctx, g0(ctx), flatIndices, xShape, outSize, overlapping)];
}

function globalAveragePoolGrad(ctx: GradContext): (string | undefined)[] {
  const xShape = ctx.shape(input(ctx, 0));
  const expanded = ctx.b.op('Expand', [g0(ctx), ctx.b.constInt64(xShape)]);
  return [ctx.b.op('Mul', [expanded, ctx.b.scalar(1 / size(xShape.slice(2)))])];
}

function globalMaxPoolGrad(ctx: GradContext): (string | undefined)[] {
  const isMax = ctx.b.op('Equal', [input(ctx, 0), output(ctx, 0)]);
  return [ctx.b.op('Where', [isMax, g0(ctx), ctx.b.scalar(0)])];
}

/**
 * Batch normalisation in inference form, y = scale·(x − mean)/σ + B with the
 * stored statistics: the data gradient, and scale's and B's summed over the
 * batch and positions (the statistics are not trained; they stay as stored).
 */
function batchNormGrad(ctx: GradContext): (string | undefined)[] {
  if (ctx.needs[3] || ctx.needs[4]) throw new Error('BatchNormalization running mean or variance is not differentiated');
  if (attrInt(ctx.node, 'training_mode', 0) !== 0) throw new Error('BatchNormalization in training mode is not differentiated');
  const xShape = ctx.shape(input(ctx, 0));
  const perChannel = [1, xShape[1]!, ...xShape.slice(2).map(() => 1)];
  const others = xShape.map((_, i) => i).filter((i) => i !== 1);
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const std = ctx.b.op('Sqrt', [ctx.b.op('Add', [input(ctx, 4), ctx.b.scalar(eps)])]);
  const g = g0(ctx);
  const gX = ctx.needs[0] ? ctx.b.op('Mul', [g, reshape(ctx, ctx.b.op('Div', [input(ctx, 1), std]), perChannel)]) : undefined;
  let gScale: string | undefined;
  if (ctx.needs[1]) {
    const xHat = ctx.b.op('Div', [ctx.b.op('Sub', [input(ctx, 0), reshape(ctx, input(ctx, 3), perChannel)]), reshape(ctx, std, perChannel)]);
    gScale = reshape(ctx, reduceSum(ctx, ctx.b.op('Mul', [g, xHat]), others), [xShape[1]!]);
  }
  const gBias = ctx.needs[2] ? reshape(ctx, reduceSum(ctx, g, others), [xShape[1]!]) : undefined;
  return [gX, gScale, gBias];
}

export const convPoolGrads: Record<string, GradRule> = {
  Conv: convGrad,
  AveragePool: averagePoolGrad,
  MaxPool: maxPoolGrad,
  GlobalAveragePool: globalAveragePoolGrad,
  GlobalMaxPool: globalMaxPoolGrad,
  BatchNormalization: batchNormGrad,
};

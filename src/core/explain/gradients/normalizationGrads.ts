import { attrFloat, attrInt, attrInts } from '../../onnx/attributes';
import { g0, input, normAxis, output, reduceSum, reshape, size, unbroadcast, type GradContext, type GradRule } from './gradContext';

/** Gradients of softmax, layer normalisation and mean/sum reductions. */

function softmaxGrad(ctx: GradContext): (string | undefined)[] {
  const y = output(ctx, 0);
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), ctx.shape(y).length);
  const g = g0(ctx);
  const dot = reduceSum(ctx, ctx.b.op('Mul', [g, y]), [axis]);
  return [ctx.b.op('Mul', [y, ctx.b.op('Sub', [g, dot])])];
}

function logSoftmaxGrad(ctx: GradContext): (string | undefined)[] {
  const y = output(ctx, 0);
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), ctx.shape(y).length);
  const g = g0(ctx);
  return [ctx.b.op('Sub', [g, ctx.b.op('Mul', [ctx.b.op('Exp', [y]), reduceSum(ctx, g, [axis])])])];
}

/**
 * dx = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) / σ with ĝ = g·scale, means over the
 * normalised axes; scale's gradient is g·x̂ and the bias's g, each summed
 * down to its own (broadcast) shape.
 */
function layerNormGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const shape = ctx.shape(x);
  const first = normAxis(attrInt(ctx.node, 'axis', -1), shape.length);
  const axes = shape.map((_, i) => i).slice(first);
  const inverseCount = ctx.b.scalar(1 / size(axes.map((a) => shape[a]!)));
  const mean = (t: string): string => ctx.b.op('Mul', [reduceSum(ctx, t, axes), inverseCount]);
  const centred = ctx.b.op('Sub', [x, mean(x)]);
  const variance = mean(ctx.b.op('Mul', [centred, centred]));
  const invStd = ctx.b.op('Reciprocal', [ctx.b.op('Sqrt', [ctx.b.op('Add', [variance, ctx.b.scalar(attrFloat(ctx.node, 'epsilon', 1e-5))])])]);
  const xHat = ctx.b.op('Mul', [centred, invStd]);
  const g = g0(ctx);
  let gX: string | undefined;
  if (ctx.needs[0]) {
    const gHat = ctx.b.op('Mul', [g, input(ctx, 1)]);
    const inner = ctx.b.op('Sub', [ctx.b.op('Sub', [gHat, mean(gHat)]), ctx.b.op('Mul', [xHat, mean(ctx.b.op('Mul', [gHat, xHat]))])]);
    gX = ctx.b.op('Mul', [inner, invStd]);
  }
  const gScale = ctx.needs[1] ? unbroadcast(ctx, ctx.b.op('Mul', [g, xHat]), shape, ctx.shape(input(ctx, 1))) : undefined;
  const gBias = ctx.needs[2] ? unbroadcast(ctx, g, shape, ctx.shape(input(ctx, 2))) : undefined;
  return [gX, gScale, gBias];
}

/** ReduceMean/ReduceSum: axes from the attribute (older opsets) or the second input. */
function reduceGrad(mean: boolean): GradRule {
  return (ctx) => {
    const x = input(ctx, 0);
    const shape = ctx.shape(x);
    const fromInput = input(ctx, 1) ? ctx.index.constantValues(input(ctx, 1), ctx.node) : undefined;
    let axes = (fromInput ?? attrInts(ctx.node, 'axes') ?? []).map((a) => normAxis(a, shape.length));
    if (axes.length === 0) {
      if (attrInt(ctx.node, 'noop_with_empty_axes', 0) === 1) return [g0(ctx)];
      axes = shape.map((_, i) => i);
    }
    const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const expanded = ctx.b.op('Expand', [reshape(ctx, g0(ctx), kept), ctx.b.constInt64(shape)]);
    if (!mean) return [expanded];
    return [ctx.b.op('Mul', [expanded, ctx.b.scalar(1 / size(axes.map((a) => shape[a]!)))])];
  };
}

export const normalizationGrads: Record<string, GradRule> = {
  Softmax: softmaxGrad,
  LogSoftmax: logSoftmaxGrad,
  LayerNormalization: layerNormGrad,
  ReduceMean: reduceGrad(true),
  ReduceSum: reduceGrad(false),
};

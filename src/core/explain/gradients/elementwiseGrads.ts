import * as attrs from '../../onnx/attributes';
import { g0, input, output, unbroadcast, type GradContext, type GradRule } from './gradContext';

/** Gradients of element-wise ops: activations and broadcasting arithmetic. */

const mul = (ctx: GradContext, a: string, b: string): string => ctx.b.op('Mul', [a, b]);

/** dx = g * d(x) for a unary op whose local derivative is `local`. */
function unary(local: (ctx: GradContext, x: string, y: string) => string): GradRule {
  return (ctx) => [mul(ctx, g0(ctx), local(ctx, input(ctx, 0), output(ctx, 0)))];
}

/** dx = where(cond, g, 0). */
function masked(cond: (ctx: GradContext, x: string) => string): GradRule {
  return (ctx) => [ctx.b.op('Where', [cond(ctx, input(ctx, 0)), g0(ctx), ctx.b.scalar(0)])];
}

const passThrough: GradRule = (ctx) => [g0(ctx)];

function clipGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const lo = input(ctx, 1);
  const hi = input(ctx, 2);
  let cond: string | undefined;
  if (lo) cond = ctx.b.op('GreaterOrEqual', [x, lo]);
  if (hi) {
    const upper = ctx.b.op('LessOrEqual', [x, hi]);
    cond = cond ? ctx.b.op('And', [cond, upper]) : upper;
  }
  return [cond ? ctx.b.op('Where', [cond, g0(ctx), ctx.b.scalar(0)]) : g0(ctx)];
}

function hardSigmoidGrad(ctx: GradContext): (string | undefined)[] {
  const alpha = attrs.attrFloat(ctx.node, 'alpha', 0.2);
  const beta = attrs.attrFloat(ctx.node, 'beta', 0.5);
  const z = ctx.b.op('Add', [mul(ctx, input(ctx, 0), ctx.b.scalar(alpha)), ctx.b.scalar(beta)]);
  const inside = ctx.b.op('And', [ctx.b.op('Greater', [z, ctx.b.scalar(0)]), ctx.b.op('Less', [z, ctx.b.scalar(1)])]);
  return [ctx.b.op('Where', [inside, mul(ctx, g0(ctx), ctx.b.scalar(alpha)), ctx.b.scalar(0)])];
}

/** hardswish(x) = x·relu6(x+3)/6; derivative 0 below -3, x/3+1/2 up to 3, 1 above (PyTorch's convention). */
function hardSwishGrad(ctx: GradContext): (string | undefined)[] {
  const x = input(ctx, 0);
  const middle = ctx.b.op('Add', [mul(ctx, x, ctx.b.scalar(1 / 3)), ctx.b.scalar(0.5)]);
  const upper = ctx.b.op('Where', [ctx.b.op('LessOrEqual', [x, ctx.b.scalar(3)]), middle, ctx.b.scalar(1)]);
  const local = ctx.b.op('Where', [ctx.b.op('Less', [x, ctx.b.scalar(-3)]), ctx.b.scalar(0), upper]);
  return [mul(ctx, g0(ctx), local)];
}

/** gelu'(x) = Φ(x) + x·φ(x) (exact form; the tanh approximation is refused). */
function geluGrad(ctx: GradContext): (string | undefined)[] {
  if (attrs.attrString(ctx.node, 'approximate', 'none') !== 'none') throw new Error('Gelu with approximate=tanh is not differentiated');
  const x = input(ctx, 0);
  const cdf = mul(ctx, ctx.b.op('Add', [ctx.b.op('Erf', [mul(ctx, x, ctx.b.scalar(Math.SQRT1_2))]), ctx.b.scalar(1)]), ctx.b.scalar(0.5));
  const pdf = mul(ctx, ctx.b.op('Exp', [mul(ctx, mul(ctx, x, x), ctx.b.scalar(-0.5))]), ctx.b.scalar(1 / Math.sqrt(2 * Math.PI)));
  return [mul(ctx, g0(ctx), ctx.b.op('Add', [cdf, mul(ctx, x, pdf)]))];
}

function powGrad(ctx: GradContext): (string | undefined)[] {
  if (ctx.needs[1]) throw new Error('Pow with an exponent that depends on the explained layer is not differentiated');
  const x = input(ctx, 0);
  const p = ctx.b.op('Cast', [input(ctx, 1)], { to: 1 });
  const local = mul(ctx, p, ctx.b.op('Pow', [x, ctx.b.op('Sub', [p, ctx.b.scalar(1)])]));
  return [unbroadcast(ctx, mul(ctx, g0(ctx), local), ctx.shape(output(ctx, 0)), ctx.shape(x))];
}

/** Binary arithmetic: each operand's gradient summed over the axes it was broadcast along. */
function binary(local: (ctx: GradContext, g: string, which: 0 | 1) => string): GradRule {
  return (ctx) => {
    const outShape = ctx.shape(output(ctx, 0));
    return [0, 1].map((i) => {
      if (!ctx.needs[i]) return undefined;
      return unbroadcast(ctx, local(ctx, g0(ctx), i as 0 | 1), outShape, ctx.shape(input(ctx, i)));
    });
  };
}

/** Where(c, a, b): a's gradient where c holds, b's elsewhere, each summed back over broadcast axes. */
function whereGrad(ctx: GradContext): (string | undefined)[] {
  const cond = input(ctx, 0);
  const outShape = ctx.shape(output(ctx, 0));
  return [
    undefined,
    ...[1, 2].map((i) => {
      if (!ctx.needs[i]) return undefined;
      const zero = ctx.b.scalar(0);
      const picked = ctx.b.op('Where', i === 1 ? [cond, g0(ctx), zero] : [cond, zero, g0(ctx)]);
      return unbroadcast(ctx, picked, outShape, ctx.shape(input(ctx, i)));
    }),
  ];
}

/** Sum of any number of broadcasting operands: each gets the gradient summed back to its shape. */
function sumGrad(ctx: GradContext): (string | undefined)[] {
  const outShape = ctx.shape(output(ctx, 0));
  return ctx.node.input.map((name, i) => (ctx.needs[i] ? unbroadcast(ctx, g0(ctx), outShape, ctx.shape(name)) : undefined));
}

/** Max/Min of two operands: the gradient goes to the operand that was chosen (the first on a tie, as PyTorch's maximum splits it). */
function extremumGrad(ctx: GradContext): (string | undefined)[] {
  if (ctx.node.input.length !== 2) throw new Error(`${ctx.node.opType} of ${ctx.node.input.length} operands is not differentiated`);
  const outShape = ctx.shape(output(ctx, 0));
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  const firstWins = ctx.b.op(ctx.node.opType === 'Max' ? 'GreaterOrEqual' : 'LessOrEqual', [a, b]);
  const zero = ctx.b.scalar(0);
  return [0, 1].map((i) => {
    if (!ctx.needs[i]) return undefined;
    const picked = ctx.b.op('Where', i === 0 ? [firstWins, g0(ctx), zero] : [firstWins, zero, g0(ctx)]);
    return unbroadcast(ctx, picked, outShape, ctx.shape(input(ctx, i)));
  });
}

export const elementwiseGrads: Record<string, GradRule> = {
  Identity: passThrough,
  Dropout: passThrough,
  Cast: (ctx) => {
    if (attrs.attrInt(ctx.node, 'to', 0) !== 1) throw new Error('Cast to a non-float type carries no gradient');
    return [g0(ctx)];
  },
  Relu: masked((ctx, x) => ctx.b.op('Greater', [x, ctx.b.scalar(0)])),
  LeakyRelu: (ctx) => {
    const alpha = attrs.attrFloat(ctx.node, 'alpha', 0.01);
    const x = input(ctx, 0);
    return [ctx.b.op('Where', [ctx.b.op('Greater', [x, ctx.b.scalar(0)]), g0(ctx), mul(ctx, g0(ctx), ctx.b.scalar(alpha))])];
  },
  Clip: clipGrad,
  Sigmoid: unary((ctx, _x, y) => mul(ctx, y, ctx.b.op('Sub', [ctx.b.scalar(1), y]))),
  HardSigmoid: hardSigmoidGrad,
  HardSwish: hardSwishGrad,
  Tanh: unary((ctx, _x, y) => ctx.b.op('Sub', [ctx.b.scalar(1), mul(ctx, y, y)])),
  Sqrt: unary((ctx, _x, y) => ctx.b.op('Div', [ctx.b.scalar(0.5), y])),
  Exp: unary((_ctx, _x, y) => y),
  Erf: unary((ctx, x) => mul(ctx, ctx.b.op('Exp', [ctx.b.op('Neg', [mul(ctx, x, x)])]), ctx.b.scalar(2 / Math.sqrt(Math.PI)))),
  Gelu: geluGrad,
  Neg: (ctx) => [ctx.b.op('Neg', [g0(ctx)])],
  Reciprocal: unary((ctx, _x, y) => ctx.b.op('Neg', [mul(ctx, y, y)])),
  Abs: unary((ctx, x) => ctx.b.op('Sign', [x])),
  Softplus: unary((ctx, x) => ctx.b.op('Sigmoid', [x])),
  Where: whereGrad,
  Sum: sumGrad,
  Max: extremumGrad,
  Min: extremumGrad,
  Pow: powGrad,
  Add: binary((_ctx, g) => g),
  Sub: binary((ctx, g, i) => (i === 0 ? g : ctx.b.op('Neg', [g]))),
  Mul: binary((ctx, g, i) => mul(ctx, g, input(ctx, 1 - i))),
  Div: binary((ctx, g, i) => (i === 0 ? ctx.b.op('Div', [g, input(ctx, 1)]) : ctx.b.op('Neg', [ctx.b.op('Div', [mul(ctx, g, output(ctx, 0)), input(ctx, 1)])]))),
};

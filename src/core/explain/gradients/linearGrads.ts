import { attrFloat, attrInt } from '../../onnx/attributes';
import { g0, input, output, unbroadcast, type GradContext, type GradRule } from './gradContext';

/** Gradients of the matrix products in classifier heads and attention. */

function gemmGrad(ctx: GradContext): (string | undefined)[] {
  const alpha = attrFloat(ctx.node, 'alpha', 1);
  const beta = attrFloat(ctx.node, 'beta', 1);
  const transA = attrInt(ctx.node, 'transA', 0);
  const transB = attrInt(ctx.node, 'transB', 0);
  const g = g0(ctx);
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  // Y = alpha·op(A)·op(B) + beta·C, so d op(A) = alpha·g·op(B)ᵀ and d op(B) = alpha·op(A)ᵀ·g.
  let gA: string | undefined;
  let gB: string | undefined;
  let gC: string | undefined;
  if (ctx.needs[0]) {
    const dOpA = ctx.b.op('Gemm', [g, b], { alpha: { float: alpha }, transB: 1 - transB });
    gA = transA ? ctx.b.op('Transpose', [dOpA], { perm: [1, 0] }) : dOpA;
  }
  if (ctx.needs[1]) {
    const dOpB = ctx.b.op('Gemm', [a, g], { alpha: { float: alpha }, transA: 1 - transA });
    gB = transB ? ctx.b.op('Transpose', [dOpB], { perm: [1, 0] }) : dOpB;
  }
  if (ctx.needs[2]) {
    const scaled = beta === 1 ? g : ctx.b.op('Mul', [g, ctx.b.scalar(beta)]);
    gC = unbroadcast(ctx, scaled, ctx.shape(output(ctx, 0)), ctx.shape(input(ctx, 2)));
  }
  return [gA, gB, gC];
}

/** Swaps the last two axes. */
function swapLast(ctx: GradContext, x: string): string {
  const rank = ctx.shape(x).length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return ctx.b.op('Transpose', [x], { perm });
}

function matMulGrad(ctx: GradContext): (string | undefined)[] {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  if (ctx.shape(a).length < 2 || ctx.shape(b).length < 2) throw new Error('MatMul with a 1-D operand is not differentiated');
  const g = g0(ctx);
  const outShape = ctx.shape(output(ctx, 0));
  const batch = outShape.slice(0, -2);
  // Batch axes broadcast like numpy; each gradient is summed back to its operand's shape.
  const gA = ctx.needs[0] ? unbroadcast(ctx, ctx.b.op('MatMul', [g, swapLast(ctx, b)]), [...batch, ...ctx.shape(a).slice(-2)], ctx.shape(a)) : undefined;
  const gB = ctx.needs[1] ? unbroadcast(ctx, ctx.b.op('MatMul', [swapLast(ctx, a), g]), [...batch, ...ctx.shape(b).slice(-2)], ctx.shape(b)) : undefined;
  return [gA, gB];
}

export const linearGrads: Record<string, GradRule> = {
  Gemm: gemmGrad,
  MatMul: matMulGrad,
};

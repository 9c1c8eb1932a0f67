import type { GraphBuilder } from '../../onnx/graphBuilder';
import type { GraphIndex } from '../../onnx/graphIndex';
import type { NodeProto } from '../../onnx/onnxSchema';

/**
 * What a gradient rule sees of one forward node: its tensors, their runtime
 * shapes (learned from one probe run, so every rule works with static
 * shapes), the incoming gradients of its outputs, and a builder to emit nodes.
 */
export interface GradContext {
  readonly node: NodeProto;
  readonly b: GraphBuilder;
  readonly index: GraphIndex;
  readonly opset: number;
  /** Gradient of each output, undefined where no gradient reaches it. */
  readonly gy: readonly (string | undefined)[];
  /** Which inputs need a gradient (they depend on the target tensor). */
  readonly needs: readonly boolean[];
  shape(name: string): number[];
}

/** A rule returns the gradient for each input that needs one. */
export type GradRule = (ctx: GradContext) => (string | undefined)[];

export const input = (ctx: GradContext, i: number): string => ctx.node.input[i] ?? '';
export const output = (ctx: GradContext, i: number): string => ctx.node.output[i] ?? '';

/** The gradient of output 0; rules for single-output ops use this. */
export function g0(ctx: GradContext): string {
  const g = ctx.gy[0];
  if (!g) throw new Error(`no gradient reaches ${ctx.node.opType} output`);
  return g;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** ReduceSum over axes, keeping dimensions (opset 13+: axes as an input). */
export function reduceSum(ctx: GradContext, x: string, axes: readonly number[]): string {
  if (axes.length === 0) return x;
  return ctx.b.op('ReduceSum', [x, ctx.b.constInt64(axes)], { keepdims: 1 });
}

export function reshape(ctx: GradContext, x: string, shape: readonly number[]): string {
  return ctx.b.op('Reshape', [x, ctx.b.constInt64(shape)]);
}

/**
 * Sums a gradient of broadcast shape `from` down to an operand of shape `to`
 * (numpy broadcasting): over leading axes the operand lacks and axes where it
 * has size 1.
 */
export function unbroadcast(ctx: GradContext, g: string, from: readonly number[], to: readonly number[]): string {
  if (from.length === to.length && from.every((d, i) => d === to[i])) return g;
  const lead = from.length - to.length;
  const axes: number[] = [];
  from.forEach((d, i) => {
    if (i < lead || (to[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  return reshape(ctx, reduceSum(ctx, g, axes), to);
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

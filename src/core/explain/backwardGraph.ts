import { ScanLensError, oneLine } from '../errors';
import { GraphBuilder } from '../onnx/graphBuilder';
import { GraphIndex } from '../onnx/graphIndex';
import type { GraphProto, NodeProto } from '../onnx/onnxSchema';
import type { GradContext } from './gradients/gradContext';
import { GRAD_RULES, carriesGradient, isDiffInput } from './gradients/gradRules';

/** The reserved names of the derived model's extra input and outputs. */
export const CLASS_INPUT = 'scanlens/class';
export const GRADIENT_OUTPUT = 'scanlens/target_gradient';

/** The gradient-free methods, named in every "cannot differentiate" message. */
const FALLBACK = 'gradient-free methods (eigencam, scorecam, ablationcam, occlusion) still work';

export interface Subgraph {
  /** Nodes between the target and the logits that carry its gradient, in graph order. */
  readonly nodes: NodeProto[];
  /** Tensors that depend differentiably on the target. */
  readonly tainted: Set<string>;
}

/** The nodes a gradient from `logits` back to `target` (or to each of several targets) passes through. */
export function gradientSubgraph(graph: GraphProto, target: string | readonly string[], logits: string): Subgraph {
  const targets = typeof target === 'string' ? [target] : target;
  const tainted = new Set(targets);
  for (const node of graph.node) {
    if (!carriesGradient(node.opType)) continue;
    if (node.input.some((name, i) => name && tainted.has(name) && isDiffInput(node.opType, i))) node.output.forEach((o) => o && tainted.add(o));
  }
  if (!tainted.has(logits)) throw new ScanLensError(`output '${logits}' does not depend on tensor '${targets.join("', '")}'`);
  const reaches = new Set([logits]);
  for (let i = graph.node.length - 1; i >= 0; i--) {
    const node = graph.node[i]!;
    if (node.output.some((o) => reaches.has(o))) node.input.forEach((name) => name && reaches.add(name));
  }
  const nodes = graph.node.filter((node) => node.output.some((o) => reaches.has(o)) && node.input.some((name, i) => tainted.has(name) && isDiffInput(node.opType, i)) && carriesGradient(node.opType));
  return { nodes, tainted };
}

/** Tensors whose runtime shapes the gradient rules need (all but initializers). */
export function tensorsNeedingShapes(sub: Subgraph, index: GraphIndex): string[] {
  const names = new Set<string>();
  for (const node of sub.nodes) {
    for (const o of node.output) if (o) names.add(o);
    node.input.forEach((name, i) => {
      if (name && isDiffInput(node.opType, i) && !index.constantTensor(name)) names.add(name);
    });
  }
  return [...names];
}

const opName = (n: NodeProto): string => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType);
const differentiable = (n: NodeProto): boolean => (!n.domain || n.domain === 'ai.onnx') && Boolean(GRAD_RULES[n.opType]);

/** A tensor worth explaining: a [1,C,H,W] map with more than one position, or [1,tokens,dim] tokens. */
function mapShaped(shape: readonly number[] | undefined): boolean {
  if (!shape || shape[0] !== 1) return false;
  return (shape.length === 4 && shape[2]! * shape[3]! > 1) || (shape.length === 3 && shape[1]! > 1);
}

/**
 * What still works when `blockers` cannot be differentiated: the nearest
 * layers after the last of them (in graph order, map- or token-shaped where
 * shapes are known) whose whole path to the logits differentiates, then the
 * gradient-free methods.
 */
export function alternatives(graph: GraphProto, blockers: readonly NodeProto[], logits: string, shapes: ReadonlyMap<string, readonly number[]>, limit = 3): string {
  const last = Math.max(...blockers.map((b) => graph.node.indexOf(b)));
  const layers: string[] = [];
  for (let i = last + 1; i < graph.node.length && layers.length < limit; i++) {
    const node = graph.node[i]!;
    const out = node.output[0];
    if (!out || !carriesGradient(node.opType) || node.opType === 'Constant' || !mapShaped(shapes.get(out))) continue;
    try {
      if (gradientSubgraph(graph, out, logits).nodes.every(differentiable)) layers.push(`'${out}' (${node.opType})`);
    } catch {
      // The logits do not depend on this tensor.
    }
  }
  const nearest = layers.length > 0 ? `the nearest layers after it that do differentiate: ${layers.join(', ')} (pass one with --layer); ` : '';
  return `${nearest}${FALLBACK}`;
}

/** Emitted nodes use opset-13 forms (ReduceSum axes as an input, …). */
export function checkGradientOpset(opset: number): void {
  if (opset < 13) throw new ScanLensError(`the model uses ONNX opset ${opset}; gradient methods need opset 13 or newer (re-export it), and ${FALLBACK}`);
}

export interface BackwardRequest {
  readonly graph: GraphProto;
  readonly opset: number;
  readonly target: string;
  readonly logits: string;
  /** Runtime shapes of the tensors `tensorsNeedingShapes` lists, for batch 1. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Tensors between the target and the logits whose gradients become outputs too, as `gradientOutput(i)`. */
  readonly expose?: readonly string[];
}

/** The output holding the gradient of a BackwardRequest's `expose[i]`. */
export const gradientOutput = (i: number): string => `${GRADIENT_OUTPUT}/${i}`;

/** What a reverse sweep starts from: the subgraph to differentiate and the gradient of each of its output tensors. */
export interface SweepRequest {
  readonly graph: GraphProto;
  readonly opset: number;
  readonly index: GraphIndex;
  readonly b: GraphBuilder;
  readonly sub: Subgraph;
  readonly logits: string;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** What is differentiated with respect to, as error messages name it. */
  readonly from: string;
  /** What to do instead, for error messages; default: alternatives() for explanations. */
  readonly advice?: string;
  /** Seed gradients, by tensor: d loss / d tensor, built in the graph. */
  readonly seeds: ReadonlyMap<string, string>;
}

/** A runtime shape from the probe, or an initializer's. */
export function shapeLookup(index: GraphIndex, shapes: ReadonlyMap<string, readonly number[]>): (name: string) => number[] {
  return (name) => {
    const known = shapes.get(name) ?? index.initializerDims(name);
    if (!known) throw new ScanLensError(`no runtime shape known for tensor '${name}'`);
    return [...known];
  };
}

/**
 * Emits the reverse sweep over a subgraph, from its seeds back through every
 * node, and returns the total gradient of any tensor (undefined where none
 * reaches it). Unsupported ops are refused by name with what still works.
 */
export function reverseSweep(request: SweepRequest): (name: string) => string | undefined {
  const { graph, opset, index, b, sub, logits, shapes } = request;
  const advise = (blockers: readonly NodeProto[]): string => request.advice ?? alternatives(graph, blockers, logits, shapes);
  const unsupported = sub.nodes.filter((n) => !differentiable(n));
  if (unsupported.length > 0) {
    const first = unsupported[0]!;
    const more = unsupported.length > 1 ? ` (and ${unsupported.length - 1} more: ${[...new Set(unsupported.slice(1).map(opName))].join(', ')})` : '';
    throw new ScanLensError(`cannot differentiate op ${opName(first)} (node '${first.name ?? ''}')${more} between ${request.from} and the logits; ${advise(unsupported)}`);
  }
  const shapeOf = shapeLookup(index, shapes);
  const grads = new Map<string, string[]>();
  const add = (name: string, g: string): void => {
    grads.set(name, [...(grads.get(name) ?? []), g]);
  };
  const total = (name: string): string | undefined => {
    const list = grads.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    const summed = b.op('Sum', list);
    grads.set(name, [summed]);
    return summed;
  };
  for (const [name, seed] of request.seeds) add(name, seed);

  for (let i = sub.nodes.length - 1; i >= 0; i--) {
    const node = sub.nodes[i]!;
    const ctx: GradContext = {
      node,
      b,
      index,
      opset,
      gy: node.output.map(total),
      needs: node.input.map((name, k) => Boolean(name) && sub.tainted.has(name) && isDiffInput(node.opType, k)),
      shape: shapeOf,
    };
    let inputGrads: (string | undefined)[];
    try {
      inputGrads = GRAD_RULES[node.opType]!(ctx);
    } catch (error) {
      if (error instanceof ScanLensError) throw new ScanLensError(`${error.message}; ${advise([node])}`);
      throw new ScanLensError(`cannot differentiate ${node.opType} node '${node.name ?? ''}': ${oneLine(error)}; ${advise([node])}`);
    }
    inputGrads.forEach((g, k) => {
      if (g && ctx.needs[k]) add(node.input[k]!, g);
    });
  }
  return total;
}

/**
 * Appends reverse-mode differentiation of logit[class] with respect to the
 * target tensor to the graph, in place. The class is the int64 input
 * CLASS_INPUT (one-hot built in the graph; negative means the top class), so
 * one derived model serves every class; its outputs become: logits, target activations, GRADIENT_OUTPUT.
 */
export function appendBackwardGraph(request: BackwardRequest): void {
  const { graph, opset, target, logits, shapes } = request;
  checkGradientOpset(opset);
  const index = new GraphIndex(graph);
  const sub = gradientSubgraph(graph, target, logits);
  const b = new GraphBuilder(graph);
  const logitShape = shapeLookup(index, shapes)(logits);
  const classes = logitShape[logitShape.length - 1]!;
  graph.input.push({ name: CLASS_INPUT, type: { tensorType: { elemType: 7, shape: { dim: [{ dimValue: 1 }] } } } });
  // A negative class means "the top class", chosen in the graph so one run suffices.
  const top = b.op('ArgMax', [b.op('Reshape', [logits, b.constInt64([1, classes])])], { axis: 1, keepdims: 0 });
  const chosen = b.op('Where', [b.op('Less', [CLASS_INPUT, b.constInt64([0], [])]), top, CLASS_INPUT]);
  const oneHot = b.op('OneHot', [chosen, b.constInt64([classes], []), b.constFloat([0, 1], [2])], { axis: -1 });
  const seed = b.op('Reshape', [oneHot, b.constInt64(logitShape)]);
  const total = reverseSweep({ graph, opset, index, b, sub, logits, shapes, from: `'${target}'`, seeds: new Map([[logits, seed]]) });

  const targetGrad = total(target);
  if (!targetGrad) throw new ScanLensError(`no gradient reaches tensor '${target}' from output '${logits}'`);
  graph.node.push({ opType: 'Identity', name: b.fresh('gradient_out'), input: [targetGrad], output: [GRADIENT_OUTPUT], attribute: [] });
  const exposed = (request.expose ?? []).map((name, i) => {
    const gradient = total(name);
    if (!gradient) throw new ScanLensError(`no gradient reaches tensor '${name}' from output '${logits}'`);
    graph.node.push({ opType: 'Identity', name: b.fresh('gradient_out'), input: [gradient], output: [gradientOutput(i)], attribute: [] });
    return gradientOutput(i);
  });
  const logitsInfo = graph.output.find((o) => o.name === logits) ?? { name: logits, type: { tensorType: { elemType: 1 } } };
  graph.output.splice(0, graph.output.length, logitsInfo);
  b.exposeOutput(target);
  b.exposeOutput(GRADIENT_OUTPUT);
  for (const name of exposed) b.exposeOutput(name);
}

import { ScanLensError } from '../errors';
import type { GraphProto, NodeProto } from '../onnx/onnxSchema';

/** The part of a model after its target layer, as a graph of its own. */
export interface LayerTail {
  /** The nodes that compute the output from the target layer, in graph order (with any constant-only nodes they read). */
  readonly nodes: NodeProto[];
  /** Tensors computed before the target layer that the tail still reads (a residual branch around it): fed from the full run. */
  readonly sides: string[];
}

/**
 * Splits a graph at `target`: the nodes needed for `output` that depend on
 * the target tensor, and what else they read. AblationCAM runs the model from
 * the target layer on, as pytorch-grad-cam does by replacing the layer's output.
 */
export function layerTail(graph: GraphProto, target: string, output: string): LayerTail {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const out of node.output) if (out) producer.set(out, node);
  // Tensors that depend on a graph input (not a constant subgraph).
  const dynamic = new Set(graph.input.map((i) => i.name).filter((name) => !initializers.has(name)));
  const downstream = new Set([target]);
  for (const node of graph.node) {
    if (node.output.includes(target)) continue;
    const inputs = node.input.filter(Boolean);
    if (inputs.some((i) => dynamic.has(i))) for (const out of node.output) dynamic.add(out);
    if (inputs.some((i) => downstream.has(i))) for (const out of node.output) downstream.add(out);
  }
  if (!downstream.has(output)) throw new ScanLensError(`the output '${output}' does not depend on the target layer '${target}'`);
  // What the output needs, walking back and stopping at the target.
  const needed = new Set<NodeProto>();
  const sides = new Set<string>();
  const stack = [output];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name) || name === target || initializers.has(name)) continue;
    seen.add(name);
    const node = producer.get(name);
    if (!node) continue;
    if (!downstream.has(name) && dynamic.has(name)) {
      sides.add(name);
      continue;
    }
    needed.add(node);
    for (const input of node.input) if (input) stack.push(input);
  }
  return { nodes: graph.node.filter((n) => needed.has(n)), sides: [...sides] };
}

/** ONNX element types by onnxruntime-node's tensor type names. */
const ELEMENT_TYPES: Record<string, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 };

/** The tail as the graph of a model: the target (float) and the side tensors (of `sideTypes`, float when not given) as inputs of unknown shape, the output alone as output. */
export function tailGraph(graph: GraphProto, target: string, output: string, sideTypes: Record<string, string> = {}): { graph: GraphProto; sides: string[] } {
  const { nodes, sides } = layerTail(graph, target, output);
  const used = new Set(nodes.flatMap((n) => n.input));
  const floatInput = (name: string): GraphProto['input'][number] => ({ name, type: { tensorType: { elemType: ELEMENT_TYPES[sideTypes[name] ?? 'float32'] ?? 1 } } });
  const kept = graph.output.filter((o) => o.name === output);
  return {
    graph: {
      ...graph,
      node: nodes,
      initializer: graph.initializer.filter((t) => t.name && used.has(t.name)),
      input: [floatInput(target), ...sides.map(floatInput)],
      output: kept.length > 0 ? kept : [{ name: output, type: { tensorType: { elemType: 1 } } }],
      valueInfo: [],
    },
    sides,
  };
}

import type { GraphProto } from './onnxSchema';
import { tensorDims } from './tensorData';

/**
 * Moves the named initializers out of the graph and declares them as inputs
 * of their own type and shape, so every run feeds them: onnxruntime-node
 * passes only declared inputs, so an initializer merely listed as an input
 * could not be overridden. Names that are no initializer are ignored.
 */
export function initializersAsInputs(graph: GraphProto, names: Iterable<string>): void {
  const wanted = new Set(names);
  const moved = graph.initializer.filter((t) => wanted.has(t.name ?? ''));
  graph.initializer = graph.initializer.filter((t) => !wanted.has(t.name ?? ''));
  for (const t of moved) {
    graph.input.push({ name: t.name!, type: { tensorType: { elemType: t.dataType ?? 1, shape: { dim: tensorDims(t).map((d) => ({ dimValue: d })) } } } });
  }
}

import { ScanLensError } from '../errors';
import { attr } from './attributes';
import type { GraphProto, NodeProto, TensorProto } from './onnxSchema';
import { tensorDims, tensorValues } from './tensorData';

/** Who produces and who consumes each tensor of a graph, and its constants. */
export class GraphIndex {
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer) if (t.name) this.initializers.set(t.name, t);
    for (const node of graph.node) {
      for (const out of node.output) if (out) this.producer.set(out, node);
      for (const input of node.input) {
        if (!input) continue;
        const list = this.consumers.get(input) ?? [];
        list.push(node);
        this.consumers.set(input, list);
      }
    }
  }

  /** The constant tensor behind a name: an initializer or a Constant node's value. */
  constantTensor(name: string): TensorProto | undefined {
    const init = this.initializers.get(name);
    if (init) return init;
    const node = this.producer.get(name);
    if (node?.opType === 'Constant') {
      const value = attr(node, 'value');
      if (value?.t) return value.t;
    }
    return undefined;
  }

  /** Values of a constant input, or an error naming the node that needs them. */
  constantValues(name: string, node: NodeProto): number[] {
    const tensor = this.constantTensor(name);
    if (tensor) return tensorValues(tensor);
    const producer = this.producer.get(name);
    if (producer?.opType === 'Constant') {
      const ints = attr(producer, 'value_ints') ?? attr(producer, 'value_int');
      if (ints) return ints.ints?.length ? ints.ints.map(Number) : [Number(ints.i ?? 0)];
      const floats = attr(producer, 'value_floats') ?? attr(producer, 'value_float');
      if (floats) return floats.floats?.length ? [...floats.floats] : [floats.f ?? 0];
    }
    throw new ScanLensError(`${node.opType} node '${node.name ?? ''}' takes '${name}' from a computed tensor; ScanLens needs it to be a constant to differentiate`);
  }

  initializerDims(name: string): number[] | undefined {
    const t = this.constantTensor(name);
    return t ? tensorDims(t) : undefined;
  }
}

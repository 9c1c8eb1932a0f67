import { ScanLensError } from '../errors';
import { makeAttribute, type AttrValue } from './attributes';
import type { AttributeProto, GraphProto } from './onnxSchema';
import { floatTensor, int64Tensor } from './tensorData';

/**
 * Appends nodes and constants to a graph under a reserved name prefix, so
 * nothing it adds can collide with the model's own tensor names.
 */
export class GraphBuilder {
  private counter = 0;

  constructor(
    readonly graph: GraphProto,
    private readonly prefix = 'scanlens/',
  ) {
    const clash = graph.node.some((n) => n.output.some((o) => o.startsWith(prefix))) || graph.initializer.some((t) => t.name?.startsWith(prefix));
    if (clash) throw new ScanLensError(`model already uses tensor names starting with '${prefix}'; it looks like a ScanLens-derived model`);
  }

  fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.counter++}`;
  }

  /** Adds one node and returns its output names; attributes may be copied protos. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttrValue> | readonly AttributeProto[] = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType));
    this.graph.node.push({
      opType,
      name: this.fresh(`${opType}_node`),
      input: [...inputs],
      output: names,
      attribute: Array.isArray(attributes) ? [...attributes] : Object.entries(attributes).map(([k, v]) => makeAttribute(k, v as AttrValue)),
    });
    return names;
  }

  op(opType: string, inputs: readonly string[], attributes: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, attributes)[0]!;
  }

  constFloat(values: ArrayLike<number>, dims: readonly number[]): string {
    const name = this.fresh('const');
    this.graph.initializer.push(floatTensor(name, values, dims));
    return name;
  }

  scalar(value: number): string {
    return this.constFloat([value], []);
  }

  constInt64(values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.graph.initializer.push(int64Tensor(name, values, dims));
    return name;
  }

  /**
   * Exposes an existing tensor as a graph output: float unless told, or of
   * whatever type onnxruntime infers when `elemType` is null (a probe of
   * integer shape tensors).
   */
  exposeOutput(name: string, elemType: number | null = 1): void {
    if (this.graph.output.some((o) => o.name === name)) return;
    this.graph.output.push(elemType === null ? { name } : { name, type: { tensorType: { elemType } } });
  }
}

import { attrInt } from '../../onnx/attributes';
import { TensorType, type GraphProto, type NodeProto } from '../../onnx/onnxSchema';
import { tensorDims } from '../../onnx/tensorData';
import { random } from '../seededRandom';

/** How a parameter is re-initialised: uniform in ±1/√fan_in (PyTorch's Conv and Linear reset_parameters), or set to a constant (a normalisation's reset). */
type Reset = { readonly uniform: number } | { readonly constant: number };

export interface ParameterTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly reset: Reset;
}

/** One layer with learned parameters: a node and the float initializers it reads. */
export interface ParameterLayer {
  readonly name: string;
  readonly tensors: readonly ParameterTensor[];
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** What each parameterised op's inputs are, by position: a weight (and its fan-in) or a value its reset restores. */
function resets(node: NodeProto, dims: (input: number) => number[] | undefined): (Reset | undefined)[] {
  const weight = dims(1);
  switch (node.opType) {
    case 'Conv':
    case 'ConvTranspose': {
      if (!weight || weight.length < 3) return [];
      const bound = 1 / Math.sqrt(product(weight.slice(1)));
      return [undefined, { uniform: bound }, { uniform: bound }];
    }
    case 'Gemm': {
      if (!weight || weight.length !== 2) return [];
      const bound = 1 / Math.sqrt(attrInt(node, 'transB', 0) ? weight[1]! : weight[0]!);
      return [undefined, { uniform: bound }, { uniform: bound }];
    }
    case 'MatMul':
      return weight && weight.length >= 2 ? [undefined, { uniform: 1 / Math.sqrt(weight[weight.length - 2]!) }] : [];
    case 'BatchNormalization':
      return [undefined, { constant: 1 }, { constant: 0 }, { constant: 0 }, { constant: 1 }];
    case 'LayerNormalization':
    case 'InstanceNormalization':
      return [undefined, { constant: 1 }, { constant: 0 }];
    default:
      return [];
  }
}

/**
 * The model's layers with learned parameters, from the output down (the
 * order of the cascading randomisation): convolutions, fully connected
 * layers and normalisations whose weights are float initializers. An
 * initializer shared by several nodes belongs to the one nearest the output.
 */
export function parameterLayers(graph: GraphProto): ParameterLayer[] {
  const initializers = new Map(graph.initializer.filter((t) => t.dataType === TensorType.FLOAT && t.name).map((t) => [t.name!, t]));
  const taken = new Set<string>();
  const layers: ParameterLayer[] = [];
  for (const node of [...graph.node].reverse()) {
    const dims = (i: number): number[] | undefined => {
      const tensor = initializers.get(node.input[i] ?? '');
      return tensor ? tensorDims(tensor) : undefined;
    };
    const tensors: ParameterTensor[] = [];
    resets(node, dims).forEach((reset, i) => {
      const name = node.input[i];
      const shape = dims(i);
      if (!reset || !name || !shape || taken.has(name)) return;
      taken.add(name);
      tensors.push({ name, dims: shape, reset });
    });
    if (tensors.length > 0) layers.push({ name: node.name || node.output[0]!, tensors });
  }
  return layers;
}

/** An initializer's values as float32 (the randomisation check feeds the layers it has not yet reached as they are). */
export function initializerValues(graph: GraphProto, name: string): Float32Array {
  const tensor = graph.initializer.find((t) => t.name === name)!;
  const raw = tensor.rawData;
  // A copy, aligned: protobufjs hands out Buffer views into the whole model.
  if (raw && raw.length > 0) return new Float32Array(new Uint8Array(raw).buffer);
  return Float32Array.from(tensor.floatData ?? []);
}

/** A layer's parameters re-initialised, seeded (layer k from the output gets seed + k, so a layer's values do not depend on how many others were drawn). */
export function randomisedLayer(layer: ParameterLayer, seed: number): Map<string, Float32Array> {
  const next = random(seed);
  return new Map(
    layer.tensors.map((t) => {
      const values = new Float32Array(product(t.dims));
      const { reset } = t;
      if ('constant' in reset) values.fill(reset.constant);
      else for (let i = 0; i < values.length; i++) values[i] = (2 * next() - 1) * reset.uniform;
      return [t.name, values];
    }),
  );
}

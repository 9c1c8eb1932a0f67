import { ScanLensError } from '../errors';
import { attr } from '../onnx/attributes';
import { GraphIndex } from '../onnx/graphIndex';
import type { GraphProto, ModelProto, NodeProto } from '../onnx/onnxSchema';
import { floatTensor } from '../onnx/tensorData';
import type { LinearHead } from './softmaxRegression';

/** Ops that pass the head's logits on to the output unchanged in shape: a model may end in any of them. */
const AFTER_HEAD = new Set(['Softmax', 'LogSoftmax', 'Sigmoid', 'Identity']);

/** A model's last linear layer: the tensor it reads (the embedding a probe is fitted on) and the constants it multiplies by. */
export interface HeadLayer {
  /** The embedding: the Gemm's or MatMul's input. */
  readonly embedding: string;
  readonly dimensions: number;
  readonly classes: number;
  readonly node: NodeProto;
  /** Weights stored classes × dimensions (Gemm with transB), else dimensions × classes. */
  readonly transposed: boolean;
  readonly weight: string;
  /** The bias constant: Gemm's C, or the Add after a MatMul; absent when the layer has none. */
  readonly bias?: string;
  /** The head's output: its class scores before any final Softmax. */
  readonly logits: string;
}

function isConstant(index: GraphIndex, name: string | undefined): name is string {
  return name !== undefined && index.constantTensor(name) !== undefined;
}

/**
 * Finds the last linear layer on the path to the model's first output,
 * stepping back over a final Softmax/LogSoftmax/Sigmoid/Identity and a bias
 * Add: a Gemm (alpha, beta 1, A not transposed) or a MatMul by a 2-D
 * constant. Refused by name when the output is made otherwise.
 */
export function findHead(graph: GraphProto, file: string): HeadLayer {
  const index = new GraphIndex(graph);
  const output = graph.output[0]?.name;
  let node = output ? index.producer.get(output) : undefined;
  while (node && AFTER_HEAD.has(node.opType)) node = index.producer.get(node.input[0]!);
  const logits = node?.output[0] ?? '';
  let bias: string | undefined;
  if (node?.opType === 'Add') {
    const [a, b] = node.input;
    const producerA = a ? index.producer.get(a) : undefined;
    bias = isConstant(index, b) ? b : isConstant(index, a) ? a : undefined;
    node = bias === b ? producerA : b ? index.producer.get(b) : undefined;
  }
  const refuse = (why: string) => new ScanLensError(`cannot find the backbone's embedding: ${why}; name the embedding tensor with --layer`, file);
  if (!node || (node.opType !== 'Gemm' && node.opType !== 'MatMul')) throw refuse(`its output is not made by a Gemm or MatMul (it ends in ${node?.opType ?? 'nothing'})`);
  const [embedding, weight, c] = node.input;
  if (!embedding || !isConstant(index, weight)) throw refuse(`its last ${node.opType} does not multiply by constant weights`);
  const dims = index.initializerDims(weight)!;
  if (dims.length !== 2) throw refuse(`its last ${node.opType}'s weights are ${dims.length}-D`);
  let transposed = false;
  if (node.opType === 'Gemm') {
    if ((attr(node, 'transA')?.i ?? 0) !== 0 || (attr(node, 'alpha')?.f ?? 1) !== 1 || (attr(node, 'beta')?.f ?? 1) !== 1) throw refuse('its last Gemm scales or transposes its input');
    transposed = Number(attr(node, 'transB')?.i ?? 0) === 1;
    if (c !== undefined && c !== '') {
      if (bias || !isConstant(index, c)) throw refuse('its last Gemm adds a computed bias');
      bias = c;
    }
  }
  const [classes, dimensions] = transposed ? [dims[0]!, dims[1]!] : [dims[1]!, dims[0]!];
  return { embedding, dimensions, classes, node, transposed, weight, ...(bias ? { bias } : {}), logits };
}

/**
 * The model with its head's constants replaced by a fitted head: the weights
 * (in the layer's own orientation) and the bias (added to the Gemm, or
 * replacing the Add's constant), and the first output's class dimension set
 * to the new class count. Everything else is the backbone, byte for byte.
 */
export function spliceHead(model: ModelProto & { graph: GraphProto }, head: HeadLayer, fitted: LinearHead): ModelProto & { graph: GraphProto } {
  const { graph } = model;
  const { classes, dimensions } = fitted;
  const weights = new Float32Array(classes * dimensions);
  for (let c = 0; c < classes; c++) {
    for (let j = 0; j < dimensions; j++) weights[head.transposed ? c * dimensions + j : j * classes + c] = fitted.weights[c * dimensions + j]!;
  }
  const replaced = new Map([[head.weight, floatTensor(head.weight, weights, head.transposed ? [classes, dimensions] : [dimensions, classes])]]);
  const biasName = head.bias ?? `${head.weight}.scanlens_bias`;
  replaced.set(biasName, floatTensor(biasName, fitted.bias, [classes]));
  const initializer = graph.initializer.map((t) => (t.name && replaced.has(t.name) ? replaced.get(t.name)! : t));
  if (!head.bias) initializer.push(replaced.get(biasName)!);
  // A head without a bias gets one: Gemm takes it as C; a MatMul is followed by an Add that takes over its output's name.
  const node = graph.node.flatMap((n): NodeProto[] => {
    if (n !== head.node || head.bias) return [n];
    if (n.opType === 'Gemm') return [{ ...n, input: [n.input[0]!, n.input[1]!, biasName] }];
    const product = `${n.output[0]!}.scanlens_product`;
    return [
      { ...n, output: [product] },
      { input: [product, biasName], output: [n.output[0]!], name: `${n.name ?? 'head'}.scanlens_bias`, opType: 'Add', attribute: [] },
    ];
  });
  const output = graph.output.map((o, i) => {
    const dim = o.type?.tensorType?.shape?.dim;
    if (i !== 0 || !dim || dim.length < 2) return o;
    return { ...o, type: { ...o.type, tensorType: { ...o.type!.tensorType, shape: { dim: [...dim.slice(0, -1), { dimValue: classes }] } } } };
  });
  return { ...model, graph: { ...graph, initializer, node, output } };
}

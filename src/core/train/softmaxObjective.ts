import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ort } from '../native/ort';
import { GraphBuilder } from '../onnx/graphBuilder';
import { encodeModel } from '../onnx/modelProto';
import { TensorType, type GraphProto, type ValueInfoProto } from '../onnx/onnxSchema';
import type { Objective } from './lbfgs';

/** The graph's inputs (standardised rows, the parameters, one-hot labels, each row's weight) and outputs. */
const FEATURES = 'features';
const WEIGHTS = 'weights';
const BIAS = 'bias';
const ONE_HOT = 'one_hot';
const ROW_WEIGHTS = 'row_weights';
const LOSS = 'loss';
const WEIGHTS_GRADIENT = 'weights_gradient';
const BIAS_GRADIENT = 'bias_gradient';

function doubleValue(name: string, dims: readonly (number | string)[]): ValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: TensorType.DOUBLE, shape: { dim } } } };
}

/**
 * The unpenalised loss Σ_i w_i·(−log softmax(W·z_i + b)[y_i]) and its
 * gradient as an ONNX graph in double precision, any rows, dimensions and
 * classes: two matrix products and a log-softmax, which onnxruntime's
 * kernels run several times faster than JavaScript loops can.
 */
function objectiveModel(): Uint8Array {
  const graph: GraphProto = {
    name: 'softmax_objective',
    node: [],
    initializer: [],
    input: [
      doubleValue(FEATURES, ['rows', 'dimensions']),
      doubleValue(WEIGHTS, ['classes', 'dimensions']),
      doubleValue(BIAS, ['classes']),
      doubleValue(ONE_HOT, ['rows', 'classes']),
      doubleValue(ROW_WEIGHTS, ['rows', 1]),
    ],
    output: [doubleValue(LOSS, []), doubleValue(WEIGHTS_GRADIENT, ['classes', 'dimensions']), doubleValue(BIAS_GRADIENT, ['classes'])],
    valueInfo: [],
  };
  const b = new GraphBuilder(graph);
  const logP = b.op('LogSoftmax', [b.op('Gemm', [FEATURES, WEIGHTS, BIAS], { transB: 1 })], { axis: 1 });
  const picked = b.op('ReduceSum', [b.op('Mul', [b.op('Mul', [logP, ONE_HOT]), ROW_WEIGHTS])], { keepdims: 0 });
  // d loss / d logits = w_i·(softmax − onehot): the residuals both gradients are made of.
  const residuals = b.op('Mul', [b.op('Sub', [b.op('Exp', [logP]), ONE_HOT]), ROW_WEIGHTS]);
  const outputs: [string, string, string][] = [
    ['Neg', picked, LOSS],
    ['Identity', b.op('Gemm', [residuals, FEATURES], { transA: 1 }), WEIGHTS_GRADIENT],
    ['Identity', b.op('ReduceSum', [residuals, b.constInt64([0])], { keepdims: 0 }), BIAS_GRADIENT],
  ];
  for (const [opType, input, output] of outputs) graph.node.push({ opType, name: b.fresh(output), input: [input], output: [output], attribute: [] });
  return encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph, metadataProps: [] });
}

let session: Promise<InferenceSession> | undefined;

/**
 * One session per thread, on one intra-op thread: the cross-validation
 * folds already run one per core, and a single thread sums in one fixed
 * order, so the same data give the same bytes on every run.
 */
function objectiveSession(): Promise<InferenceSession> {
  session ??= ort().InferenceSession.create(objectiveModel(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  return session;
}

/**
 * The multinomial logistic regression objective on fixed rows:
 * Σ_i w_i·(−log softmax(W·z_i + b)[y_i]) + ‖W‖²/(2C), with its gradient,
 * for L-BFGS. The parameters are W (classes × dimensions, row-major) then b;
 * `z` holds the rows (rows × dimensions). The loss and its gradient come
 * from onnxruntime in double precision; the penalty is added here.
 */
export async function softmaxObjective(z: Float64Array, dimensions: number, labels: Int32Array, rowWeights: Float64Array, classes: number, penalty: number): Promise<Objective> {
  const { Tensor: OrtTensor } = ort();
  const n = labels.length;
  const size = classes * dimensions;
  const oneHot = new Float64Array(n * classes);
  labels.forEach((label, i) => (oneHot[i * classes + label] = 1));
  const weights = new Float64Array(size);
  const bias = new Float64Array(classes);
  const feeds: Record<string, Tensor> = {
    [FEATURES]: new OrtTensor('float64', z, [n, dimensions]),
    [WEIGHTS]: new OrtTensor('float64', weights, [classes, dimensions]),
    [BIAS]: new OrtTensor('float64', bias, [classes]),
    [ONE_HOT]: new OrtTensor('float64', oneHot, [n, classes]),
    [ROW_WEIGHTS]: new OrtTensor('float64', Float64Array.from(rowWeights), [n, 1]),
  };
  const run = await objectiveSession();
  return async (x, out) => {
    weights.set(x.subarray(0, size));
    bias.set(x.subarray(size, size + classes));
    const result = await run.run(feeds);
    const weightsGradient = result[WEIGHTS_GRADIENT]!.data as Float64Array;
    out.set(result[BIAS_GRADIENT]!.data as Float64Array, size);
    let loss = (result[LOSS]!.data as Float64Array)[0]!;
    for (let k = 0; k < size; k++) {
      loss += 0.5 * penalty * x[k]! * x[k]!;
      out[k] = weightsGradient[k]! + penalty * x[k]!;
    }
    return loss;
  };
}

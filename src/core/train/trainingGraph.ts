import { checkGradientOpset, gradientSubgraph, reverseSweep, shapeLookup } from '../explain/backwardGraph';
import { ScanLensError } from '../errors';
import { GraphBuilder } from '../onnx/graphBuilder';
import { GraphIndex } from '../onnx/graphIndex';
import type { GraphProto } from '../onnx/onnxSchema';

/** The training model's extra inputs and outputs. */
export const LABEL_INPUT = 'scanlens/label';
export const SAMPLE_WEIGHT_INPUT = 'scanlens/sample_weight';
export const LOSS_OUTPUT = 'scanlens/loss';
export const LOGITS_OUTPUT = 'scanlens/logits';
/** The output holding d loss / d parameters[i]. */
export const parameterGradientOutput = (i: number): string => `scanlens/parameter_gradient/${i}`;

export interface TrainingGraphRequest {
  readonly graph: GraphProto;
  readonly opset: number;
  /** The tensors trained: graph inputs by now (their shapes are in `shapes`). */
  readonly parameters: readonly string[];
  /** The head's logits, [batch, classes] (or any shape ending in classes, batch first). */
  readonly logits: string;
  /** Runtime shapes of every tensor the gradient rules read, for the batch the graph is built for. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
}

/**
 * Appends, in place, a weighted cross-entropy loss and its gradient with
 * respect to every parameter. Inputs LABEL_INPUT (int64, one class per
 * sample) and SAMPLE_WEIGHT_INPUT (float, one weight per sample);
 * loss = Σᵢ wᵢ·(−log softmax(zᵢ)[yᵢ]). With wᵢ = classWeight(yᵢ) / Σⱼ
 * classWeight(yⱼ) this is PyTorch's CrossEntropyLoss(weight=…) mean, and a
 * sample of weight 0 pads a short batch without changing anything. The
 * seed d loss / d zᵢ = wᵢ·(softmax(zᵢ) − onehot(yᵢ)) is built in the graph;
 * outputs: LOSS_OUTPUT (scalar), LOGITS_OUTPUT ([batch, classes]) and
 * parameterGradientOutput(i).
 */
export function appendTrainingGraph(request: TrainingGraphRequest): void {
  const { graph, opset, parameters, logits, shapes } = request;
  checkGradientOpset(opset);
  const index = new GraphIndex(graph);
  const sub = gradientSubgraph(graph, parameters, logits);
  const b = new GraphBuilder(graph);
  const logitShape = shapeLookup(index, shapes)(logits);
  const batch = logitShape[0]!;
  const classes = logitShape[logitShape.length - 1]!;
  if (batch * classes !== logitShape.reduce((p, d) => p * d, 1)) throw new ScanLensError(`the logits '${logits}' are [${logitShape.join(', ')}]; training needs one row of class scores per scan`);
  graph.input.push({ name: LABEL_INPUT, type: { tensorType: { elemType: 7, shape: { dim: [{ dimValue: batch }] } } } });
  graph.input.push({ name: SAMPLE_WEIGHT_INPUT, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: batch }] } } } });

  const z = b.op('Reshape', [logits, b.constInt64([batch, classes])]);
  const oneHot = b.op('OneHot', [LABEL_INPUT, b.constInt64([classes], []), b.constFloat([0, 1], [2])], { axis: -1 });
  const weight = b.op('Reshape', [SAMPLE_WEIGHT_INPUT, b.constInt64([batch, 1])]);
  const logP = b.op('LogSoftmax', [z], { axis: 1 });
  const picked = b.op('ReduceSum', [b.op('Mul', [b.op('Mul', [logP, oneHot]), weight]), b.constInt64([0, 1])], { keepdims: 0 });
  graph.node.push({ opType: 'Neg', name: b.fresh('loss'), input: [picked], output: [LOSS_OUTPUT], attribute: [] });
  const seed = b.op('Mul', [b.op('Sub', [b.op('Softmax', [z], { axis: 1 }), oneHot]), weight]);
  const total = reverseSweep({
    graph,
    opset,
    index,
    b,
    sub,
    logits,
    shapes,
    from: 'the trained layers',
    advice: 'fine-tune fewer blocks, so that no trained layer lies before it',
    seeds: new Map([[logits, b.op('Reshape', [seed, b.constInt64(logitShape)])]]),
  });
  const outputs = parameters.map((name, i) => {
    const gradient = total(name);
    if (!gradient) throw new ScanLensError(`no gradient reaches parameter '${name}' from the logits '${logits}'`);
    graph.node.push({ opType: 'Identity', name: b.fresh('parameter_gradient'), input: [gradient], output: [parameterGradientOutput(i)], attribute: [] });
    return parameterGradientOutput(i);
  });
  graph.node.push({ opType: 'Identity', name: b.fresh('logits_out'), input: [z], output: [LOGITS_OUTPUT], attribute: [] });
  graph.output.splice(0, graph.output.length);
  for (const name of [LOSS_OUTPUT, LOGITS_OUTPUT, ...outputs]) b.exposeOutput(name);
}

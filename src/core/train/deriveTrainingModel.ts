import type { Tensor } from 'onnxruntime-node';
import { checkGradientOpset, gradientSubgraph, tensorsNeedingShapes } from '../explain/backwardGraph';
import { initializerValues } from '../explain/scorecard/parameterLayers';
import { ScanLensError } from '../errors';
import { ort } from '../native/ort';
import { foldShapes, shapeQueries } from '../onnx/foldShapes';
import { GraphIndex } from '../onnx/graphIndex';
import { initializersAsInputs } from '../onnx/initializerInputs';
import { decodeModel, defaultOpset, encodeModel } from '../onnx/modelProto';
import { TensorType, type GraphProto } from '../onnx/onnxSchema';
import { probeTensors } from '../onnx/probeShapes';
import { tensorDims } from '../onnx/tensorData';
import { appendTrainingGraph } from './trainingGraph';

export interface TrainingModelRequest {
  /** Float initializers to train; they become graph inputs. */
  readonly parameters: readonly string[];
  /** The head's logits tensor. */
  readonly logits: string;
  readonly inputName: string;
  /** An input of the batch size the training model is built for (its values do not matter). */
  readonly input: Tensor;
  readonly file: string;
}

/** Declares the image input with the batch size asked, and drops shapes that would contradict it (outputs, value_info). */
function setBatch(graph: GraphProto, inputName: string, batch: number): void {
  const dims = graph.input.find((i) => i.name === inputName)?.type?.tensorType?.shape?.dim;
  if (dims && dims.length > 0) dims[0] = { dimValue: batch };
  for (const o of graph.output) if (o.type?.tensorType) delete o.type.tensorType.shape;
  graph.valueInfo = [];
}

/**
 * The model as a training step (trainingGraph.ts): inputs the image batch,
 * labels, sample weights and every trained parameter; outputs the loss, the
 * logits and each parameter's gradient. The parameters become inputs before
 * shapes are folded, so folding cannot bake them into constants; the result
 * is for the input's batch size and image size.
 */
export async function deriveTrainingModel(bytes: Uint8Array, request: TrainingModelRequest): Promise<Uint8Array> {
  const model = decodeModel(bytes, request.file);
  const { graph } = model;
  const opset = defaultOpset(model);
  checkGradientOpset(opset);
  const initializers = new Map(graph.initializer.map((t) => [t.name ?? '', t]));
  const parameterFeeds: Record<string, Tensor> = {};
  for (const name of request.parameters) {
    const tensor = initializers.get(name);
    if (!tensor || tensor.dataType !== TensorType.FLOAT) throw new ScanLensError(`'${name}' is not a float initializer, so it cannot be trained`, request.file);
    parameterFeeds[name] = new (ort().Tensor)('float32', initializerValues(graph, name), tensorDims(tensor));
  }
  setBatch(graph, request.inputName, Number(request.input.dims[0]));
  initializersAsInputs(graph, request.parameters);
  const sub = gradientSubgraph(graph, request.parameters, request.logits);
  const names = [...new Set([request.logits, ...tensorsNeedingShapes(sub, new GraphIndex(graph)), ...shapeQueries(graph)])];
  const feeds = { [request.inputName]: request.input, ...parameterFeeds };
  const probed = await probeTensors(encodeModel(model), names, feeds, request.file);
  const shapes = new Map([...probed].map(([name, t]) => [name, t.dims.map(Number)]));
  foldShapes(graph, shapes, opset);
  appendTrainingGraph({ graph, opset, parameters: request.parameters, logits: request.logits, shapes });
  return encodeModel(model);
}

import type { Tensor } from 'onnxruntime-node';
import { foldShapes, shapeQueries } from '../onnx/foldShapes';
import { GraphIndex } from '../onnx/graphIndex';
import { decodeModel, defaultOpset, encodeModel } from '../onnx/modelProto';
import { probeTensors } from '../onnx/probeShapes';
import { appendBackwardGraph, checkGradientOpset, gradientSubgraph, tensorsNeedingShapes } from './backwardGraph';

export interface DeriveRequest {
  readonly target: string;
  readonly logits: string;
  /** A batch-1 input used once to learn runtime shapes. */
  readonly feeds: Record<string, Tensor>;
  readonly file: string;
  /** More tensors whose gradients become outputs (BackwardRequest.expose). */
  readonly expose?: readonly string[];
}

/**
 * The user's model plus its backward graph, as new ONNX bytes: one run of
 * the result returns logits, the target activations and d logit[class] / d
 * activations. Shape computations are first folded to constants for the
 * feeds' size (foldShapes.ts), so the derived model is for that size and
 * batch 1; one probe run answers both the folding's and the rules' shapes.
 */
export async function deriveGradientModel(bytes: Uint8Array, request: DeriveRequest): Promise<Uint8Array> {
  const model = decodeModel(bytes, request.file);
  const opset = defaultOpset(model);
  checkGradientOpset(opset);
  const index = new GraphIndex(model.graph);
  const sub = gradientSubgraph(model.graph, request.target, request.logits);
  const names = [...new Set([request.target, request.logits, ...tensorsNeedingShapes(sub, index), ...shapeQueries(model.graph)])];
  const probed = await probeTensors(bytes, names, request.feeds, request.file);
  const shapes = new Map([...probed].map(([name, t]) => [name, t.dims.map(Number)]));
  foldShapes(model.graph, shapes, opset);
  appendBackwardGraph({ graph: model.graph, opset, target: request.target, logits: request.logits, shapes, expose: request.expose });
  return encodeModel(model);
}

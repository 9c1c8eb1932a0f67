import { ScanLensError, oneLine } from '../../errors';
import { autoTargetLayer, checkTensorExists } from '../../explain/targetLayer';
import type { LoadedModel } from '../../model/loadModel';
import { ort } from '../../native/ort';
import { GraphIndex } from '../../onnx/graphIndex';
import { decodeModel } from '../../onnx/modelProto';
import { probeTensors } from '../../onnx/probeShapes';
import { verifiedModelBytes } from '../../model/modelBytes';

/** Ops whose outputs are the feature maps a backbone hands from block to block. */
const FEATURE_OPS = new Set(['Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'HardSwish', 'HardSigmoid', 'Gelu', 'Tanh', 'Mul', 'Add', 'MaxPool', 'AveragePool']);

/**
 * Two spatial feature maps of different depth, as PaDiM uses: the deepest
 * map before the global pool, and the last map at a finer grid (twice its
 * resolution when there is one). Shapes come from one probe run.
 */
export async function defaultLayers(model: LoadedModel): Promise<string[]> {
  const bytes = await verifiedModelBytes(model);
  const graph = decodeModel(bytes, model.onnxPath).graph;
  const index = new GraphIndex(graph);
  let deep: string;
  try {
    deep = autoTargetLayer(graph, index);
  } catch (error) {
    throw new ScanLensError(`cannot choose feature layers automatically (${oneLine(error)}); name them with --layers`, model.onnxPath);
  }
  const candidates = graph.node.filter((n) => FEATURE_OPS.has(n.opType) && n.output[0]).map((n) => n.output[0]!);
  const { channels, size } = model.manifest.input;
  const dims = model.manifest.input.layout === 'NCHW' ? [1, channels, size.height, size.width] : [1, size.height, size.width, channels];
  const feeds = { [model.inputName]: new (ort().Tensor)('float32', new Float32Array(channels * size.width * size.height), dims) };
  const shapes = await probeTensors(bytes, [...new Set([...candidates, deep])], feeds, model.onnxPath);
  const deepDims = shapes.get(deep)?.dims ?? [];
  if (deepDims.length !== 4) throw new ScanLensError(`feature tensor '${deep}' is not a [1,C,H,W] map; name layers with --layers`, model.onnxPath);
  const deepHeight = deepDims[2]!;
  const order = new Map(graph.node.map((n, i) => [n.output[0] ?? '', i]));
  const finer = candidates.filter((name) => {
    const d = shapes.get(name)?.dims ?? [];
    return d.length === 4 && d[2]! > deepHeight && order.get(name)! < order.get(deep)!;
  });
  const twice = finer.filter((name) => shapes.get(name)!.dims[2] === 2 * deepHeight);
  const shallow = twice.at(-1) ?? finer.at(-1);
  if (!shallow) throw new ScanLensError(`the model has no feature map finer than '${deep}'; name layers with --layers`, model.onnxPath);
  return [shallow, deep];
}

/** Checks named feature layers exist, so a typo is a one-line usage error before any scan is read. */
export async function checkLayers(model: LoadedModel, layers: readonly string[]): Promise<void> {
  const graph = decodeModel(await verifiedModelBytes(model), model.onnxPath).graph;
  const index = new GraphIndex(graph);
  try {
    for (const layer of layers) checkTensorExists(graph, index, layer);
  } catch (error) {
    throw new ScanLensError(oneLine(error), model.manifestPath ?? model.onnxPath);
  }
}

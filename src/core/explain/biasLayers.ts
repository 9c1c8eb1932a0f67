import { GraphIndex } from '../onnx/graphIndex';
import type { GraphProto, NodeProto } from '../onnx/onnxSchema';
import { attrFloat } from '../onnx/attributes';
import { gradientSubgraph } from './backwardGraph';

/** A layer that adds a bias per channel of a 2-D feature map, with the bias it adds. */
export interface BiasLayer {
  readonly output: string;
  readonly node: string;
  readonly bias: Float32Array;
}

/** A constant's values, or undefined when the tensor is computed. */
function constant(index: GraphIndex, name: string | undefined, node: NodeProto): number[] | undefined {
  return name && index.constantTensor(name) ? index.constantValues(name, node) : undefined;
}

/**
 * FullGrad's bias layers as pytorch-grad-cam picks them (Conv2d and
 * BatchNorm2d with a bias), in the graph as exported: 2-D Conv nodes with a
 * constant bias, and BatchNormalization nodes, whose bias is
 * B − mean·scale/√(var + ε). Only layers between the input and the logits
 * count. An export that folds a BatchNorm into the Conv before it (PyTorch's
 * eval-mode export does) leaves one Conv whose bias is the BatchNorm's when the
 * Conv had none, so the map is the same as on the PyTorch model.
 */
export function biasLayers(graph: GraphProto, input: string, logits: string): BiasLayer[] {
  const index = new GraphIndex(graph);
  const layers: BiasLayer[] = [];
  for (const node of gradientSubgraph(graph, input, logits).nodes) {
    const output = node.output[0];
    if (!output) continue;
    if (node.opType === 'Conv' && node.input[2] && index.initializerDims(node.input[1] ?? '')?.length === 4) {
      const bias = constant(index, node.input[2], node);
      if (bias) layers.push({ output, node: node.name ?? output, bias: Float32Array.from(bias) });
    } else if (node.opType === 'BatchNormalization') {
      const [scale, shift, mean, variance] = [1, 2, 3, 4].map((i) => constant(index, node.input[i], node));
      if (!scale || !shift || !mean || !variance) continue;
      const epsilon = attrFloat(node, 'epsilon', 1e-5);
      layers.push({ output, node: node.name ?? output, bias: Float32Array.from(shift, (b, c) => b - (mean[c]! * scale[c]!) / Math.sqrt(variance[c]! + epsilon)) });
    }
  }
  return layers;
}

import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { encodeModel } from '../../../src/core/onnx/modelProto';
import type { ModelProto } from '../../../src/core/onnx/onnxSchema';

const FLOAT = 1;
const BOOL = 9;

/**
 * A graph with anomalib's export contract: image input [1,3,H,W]; outputs
 * anomaly_map [1,1,H,W] = 10 · channel mean and pred_score [1] = its max; the
 * v2 variant adds pred_label = score ≥ 0.5 and pred_mask = map ≥ 0.5 (bool),
 * as anomalib v2 exports carry their post-processing inside.
 */
export function anomalibGraph(size: number, v2: boolean): Uint8Array {
  const model: ModelProto & { graph: NonNullable<ModelProto['graph']> } = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: [],
    graph: { name: 'anomalib-like', node: [], initializer: [], input: [], output: [], valueInfo: [] },
  };
  const g = model.graph;
  const b = new GraphBuilder(g, 'test/');
  const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ dimValue: d })) });
  g.input.push({ name: 'input', type: { tensorType: { elemType: FLOAT, shape: dims([1, 3, size, size]) } } });
  const mean = b.node('ReduceMean', ['input'], { axes: [1], keepdims: 1 })[0]!;
  g.node.push({ opType: 'Mul', name: 'scale', input: [mean, b.scalar(10)], output: ['anomaly_map'], attribute: [] });
  const max = b.node('ReduceMax', ['anomaly_map'], { keepdims: 1 })[0]!;
  g.node.push({ opType: 'Reshape', name: 'flat', input: [max, b.constInt64([1])], output: ['pred_score'], attribute: [] });
  g.output.push({ name: 'pred_score', type: { tensorType: { elemType: FLOAT, shape: dims([1]) } } });
  g.output.push({ name: 'anomaly_map', type: { tensorType: { elemType: FLOAT, shape: dims([1, 1, size, size]) } } });
  if (v2) {
    const half = b.scalar(0.5);
    g.node.push({ opType: 'GreaterOrEqual', name: 'label', input: ['pred_score', half], output: ['pred_label'], attribute: [] });
    g.node.push({ opType: 'GreaterOrEqual', name: 'mask', input: ['anomaly_map', half], output: ['pred_mask'], attribute: [] });
    g.output.push({ name: 'pred_label', type: { tensorType: { elemType: BOOL, shape: dims([1]) } } });
    g.output.push({ name: 'pred_mask', type: { tensorType: { elemType: BOOL, shape: dims([1, 1, size, size]) } } });
  }
  return encodeModel(model);
}

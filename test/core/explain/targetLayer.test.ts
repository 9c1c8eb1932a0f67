import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autoTargetLayer } from '../../../src/core/explain/targetLayer';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { GraphIndex } from '../../../src/core/onnx/graphIndex';
import { emptyModel } from './gradCheck';

/** The automatic choice on hand-built graph tails; the real exports' choices are checked in realExports.test.ts. */
function tail(build: (b: GraphBuilder) => string): string {
  const model = emptyModel(17);
  const b = new GraphBuilder(model.graph, 'case/');
  model.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1 } } });
  b.exposeOutput(build(b));
  return autoTargetLayer(model.graph, new GraphIndex(model.graph));
}

test('a CNN: the map the last global average pool reads, past a later LayerNorm-and-Flatten head (ConvNeXt)', () => {
  let feature = '';
  const chosen = tail((b) => {
    feature = b.op('Relu', [b.op('Conv', ['x', b.constFloat([1], [1, 1, 1, 1])])]);
    const pooled = b.op('GlobalAveragePool', [feature]);
    const normed = b.op('Transpose', [b.op('LayerNormalization', [b.op('Transpose', [pooled], { perm: [0, 2, 3, 1] }), b.constFloat([1], [1])])], { perm: [0, 3, 1, 2] });
    return b.op('Flatten', [normed]);
  });
  assert.equal(chosen, feature);
});

test('a spatial ReduceMean counts as the global pool; a token mean is the fallback', () => {
  let feature = '';
  const spatial = tail((b) => {
    feature = b.op('Relu', ['x']);
    return b.op('ReduceMean', [feature], { axes: [2, 3], keepdims: 0 });
  });
  assert.equal(spatial, feature);
  const tokens = tail((b) => {
    feature = b.op('MatMul', ['x', b.constFloat([1, 0, 0, 1], [2, 2])]);
    return b.op('ReduceMean', [feature], { axes: [1], keepdims: 0 });
  });
  assert.equal(tokens, feature);
});

test('a softmax on the output is not attention: the head is not taken for a transformer block', () => {
  let feature = '';
  const chosen = tail((b) => {
    feature = b.op('Relu', ['x']);
    const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [feature])]);
    return b.op('Softmax', [b.op('LayerNormalization', [pooled, b.constFloat([1], [1])])]);
  });
  assert.equal(chosen, feature);
});

test("a 3D model's ReduceMean over D, H and W counts as the global pool: the 5-D map before it, not the pooled vector a later Flatten reads", () => {
  let feature = '';
  const chosen = tail((b) => {
    feature = b.op('Relu', [b.op('Conv', ['x', b.constFloat([1], [1, 1, 1, 1, 1])])]);
    const pooled = b.op('ReduceMean', [feature], { axes: [-3, -2, -1], keepdims: 1 });
    return b.op('Gemm', [b.op('Flatten', [pooled]), b.constFloat([1, 1], [1, 2])]);
  });
  assert.equal(chosen, feature);
});

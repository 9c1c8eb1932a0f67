import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { lastBlocks } from '../../../src/core/train/fineTuneBlocks';
import { findHead } from '../../../src/core/train/headGraph';
import { emptyModel, randomValues } from '../explain/gradCheck';

/** x → Conv → InstanceNormalization → Conv → LayerNormalization → GlobalAveragePool → Flatten → Gemm. */
function graph() {
  const m = emptyModel(17);
  const b = new GraphBuilder(m.graph, 'case/');
  const init = (name: string, dims: number[]): string => {
    m.graph.initializer.push({
      name,
      dims,
      dataType: 1,
      floatData: randomValues(
        dims.reduce((p, d) => p * d, 1),
        name.length,
      ),
    });
    return name;
  };
  m.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [1, 1, 8, 8].map((d) => ({ dimValue: d })) } } } });
  const conv1 = b.op('Conv', ['x', init('conv1.w', [2, 1, 3, 3])]);
  const instance = b.op('InstanceNormalization', [conv1, init('in.scale', [2]), init('in.bias', [2])]);
  const conv2 = b.op('Conv', [instance, init('conv2.w', [2, 2, 3, 3]), init('conv2.b', [2])]);
  const norm = b.op('LayerNormalization', [conv2, init('ln.scale', [4, 4]), init('ln.bias', [4, 4])], { axis: 2 });
  const flat = b.op('Flatten', [b.op('GlobalAveragePool', [norm])]);
  m.graph.node.push({ opType: 'Gemm', name: 'head', input: [flat, init('head.w', [3, 2]), init('head.b', [3])], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] });
  m.graph.output.push({ name: 'logits', type: { tensorType: { elemType: 1 } } });
  return m.graph;
}

test('a normalisation reading a weighted layer joins its block; a block ScanLens cannot train for its weights limits K in one line', () => {
  const g = graph();
  const head = findHead(g, 'case.onnx');
  const [first] = lastBlocks(g, head, 1, 'case.onnx');
  assert.deepEqual(first!.parameters, ['ln.scale', 'ln.bias', 'conv2.w', 'conv2.b']);
  assert.throws(
    () => lastBlocks(g, head, 2, 'case.onnx'),
    /case\.onnx: block 2 before the head \('case\/InstanceNormalization_node_\d+'\) has a layer whose parameters ScanLens cannot differentiate \(InstanceNormalization\); fine-tune at most 1 block\(s\)/,
  );
  assert.throws(() => lastBlocks(g, head, 4, 'case.onnx'), /--finetune-blocks 4 asks for more blocks than the backbone has before its head \(3\)/);
});

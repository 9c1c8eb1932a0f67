import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ort } from '../../../src/core/native/ort';
import { AttributeType, TensorType } from '../../../src/core/onnx/onnxSchema';
import { foldShapes, shapeQueries } from '../../../src/core/onnx/foldShapes';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { decodeModel, encodeModel } from '../../../src/core/onnx/modelProto';
import { probeTensors } from '../../../src/core/onnx/probeShapes';
import { floatTensor, int64Tensor, tensorValues } from '../../../src/core/onnx/tensorData';
import { emptyModel } from '../explain/gradCheck';

/**
 * The shape computations torch.onnx exports (nn.MultiheadAttention's chunk
 * bounds, dynamic-batch Reshape targets, Swin's window padding and shifted-
 * window mask), built on a [2,3,4,5] input: every folded value must equal
 * what onnxruntime computes, and the folded model must give the same output.
 */
function shapeModel() {
  const model = emptyModel(17);
  const g = model.graph;
  const b = new GraphBuilder(g, 'case/');
  g.input.push({ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }, { dimValue: 4 }, { dimValue: 5 }] } } } });
  const checked: string[] = [];
  const keep = (name: string): string => (checked.push(name), name);
  const relu = b.op('Relu', ['x']);
  const shape = keep(b.op('Shape', [relu]));
  const tail = keep(b.node('Shape', [relu], { start: -2 })[0]!);
  const size = keep(b.op('Size', [relu]));
  const batch = keep(b.op('Gather', [shape, b.constInt64([0], [])], { axis: 0 }));
  const chunk = keep(b.op('Div', [b.op('Gather', [shape, b.constInt64([3], [])], { axis: 0 }), b.constInt64([2], [])]));
  const mod = keep(b.op('Mod', [b.op('Neg', [tail]), b.constInt64([3])]));
  const pads = keep(b.op('Concat', [b.constInt64([0, 0, 0, 0, 0, 0]), mod], { axis: 0 }));
  const range = keep(b.op('Range', [b.constInt64([0], []), b.op('Cast', [chunk], { to: TensorType.INT64 }), b.constInt64([1], [])]));
  const mask = b.node('ConstantOfShape', [tail], [{ name: 'value', type: AttributeType.TENSOR, t: floatTensor('v', [0], [1]) }])[0]!;
  const indices = b.constInt64([1, 2, 3, 4], [2, 2]);
  const scattered = keep(b.op('ScatterND', [mask, indices, b.constFloat([7, 8], [2])]));
  const sums = keep(b.op('ReduceSum', [scattered, b.constInt64([1])], { keepdims: 0 }));
  const target = b.op('Concat', [b.op('Unsqueeze', [batch, b.constInt64([0])]), b.constInt64([3, 20])], { axis: 0 });
  const fixed = keep(b.op('Where', [b.op('Equal', [target, b.constInt64([3], [])]), b.constInt64([-1], []), target]));
  const expanded = keep(b.op('Expand', [b.constInt64([1, 2, 3], [3, 1]), b.op('Slice', [shape, b.constInt64([1]), b.constInt64([3])])]));
  const tiled = keep(b.op('Transpose', [b.op('Tile', [expanded, b.constInt64([1, 2])])], { perm: [1, 0] }));
  const prod = keep(b.op('ReduceProd', [b.op('Cast', [shape], { to: TensorType.FLOAT })], { keepdims: 0 }));
  const squeezed = keep(b.op('Squeeze', [b.op('Unsqueeze', [size, b.constInt64([0, 1])]), b.constInt64([0])]));
  void [sums, tiled, prod, squeezed, range];
  // The float path reads the folded tensors: a reshape to the computed target and a pad by computed amounts.
  const reshaped = b.op('Reshape', [relu, fixed]);
  const padded = b.op('Pad', [relu, pads]);
  const out = b.op('Add', [b.op('ReduceSum', [padded], { keepdims: 0 }), b.op('ReduceSum', [b.op('Mul', [reshaped, b.scalar(2)])], { keepdims: 0 })]);
  b.exposeOutput(out);
  return { model, checked, out };
}

test('shape computations fold to the values onnxruntime computes, and the folded model gives the same output', async () => {
  const { model, checked, out } = shapeModel();
  const bytes = encodeModel(model);
  const input = new (ort().Tensor)(
    'float32',
    Float32Array.from({ length: 120 }, (_, i) => Math.sin(i)),
    [2, 3, 4, 5],
  );
  const expected = await probeTensors(bytes, [...checked, out, ...shapeQueries(model.graph)], { x: input }, 'case.onnx');
  const folded = decodeModel(bytes);
  // As graph outputs, every checked tensor is kept (as an initializer once folded).
  for (const name of checked) folded.graph.output.push({ name });
  const result = foldShapes(folded.graph, new Map([...expected].map(([name, t]) => [name, t.dims.map(Number)])), 17);
  assert.ok(result.folded > 0 && result.removed > 0);
  assert.ok(!folded.graph.node.some((n) => n.opType === 'Shape' || n.opType === 'Size'), 'no Shape node is left');
  const init = new Map(folded.graph.initializer.map((t) => [t.name!, t]));
  for (const name of checked) {
    const t = expected.get(name)!;
    const mine = init.get(name);
    assert.ok(mine, `${name} is folded`);
    assert.deepEqual(mine.dims.map(Number), t.dims.map(Number), name);
    assert.deepEqual(tensorValues(mine), Array.from(t.data as ArrayLike<number | bigint>, Number), name);
  }
  const session = await ort().InferenceSession.create(encodeModel(folded), { logSeverityLevel: 3 });
  const got = (await session.run({ x: input }, [out]))[out]!;
  await session.release();
  assert.ok(Math.abs(Number(got.data[0]) - Number(expected.get(out)!.data[0])) < 1e-4);
});

test('a tensor read only through its shape is folded away; value-dependent tensors are left computed', () => {
  const model = emptyModel(17);
  const b = new GraphBuilder(model.graph, 'case/');
  model.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1 } } });
  model.graph.initializer.push(int64Tensor('k', [2], [1]));
  const y = b.op('Relu', ['x']);
  const target = b.op('Concat', [b.op('Shape', [y]), 'k'], { axis: 0 });
  const argmax = b.op('ArgMax', [y], { axis: 0 });
  b.exposeOutput(b.op('Reshape', [y, target]));
  b.exposeOutput(argmax, TensorType.INT64);
  foldShapes(model.graph, new Map([[y, [3]]]), 17);
  assert.deepEqual(
    model.graph.node.map((n) => n.opType),
    ['Relu', 'ArgMax', 'Reshape'],
  );
  assert.deepEqual(tensorValues(model.graph.initializer.find((t) => t.name === target)!), [3, 2]);
});

test('tensors read only inside an If branch (outer-scope names) are kept', async () => {
  const model = emptyModel(17);
  const g = model.graph;
  const b = new GraphBuilder(g, 'case/');
  g.input.push({ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 3 }] } } } });
  g.initializer.push(floatTensor('w', [1, 2, 3], [3]));
  const doubled = b.op('Mul', ['x', b.scalar(2)]);
  const cond = b.op('Greater', [b.op('ReduceSum', ['x'], { keepdims: 0 }), b.scalar(0)]);
  const branch = (name: string, read: string) => ({
    name,
    type: AttributeType.GRAPH,
    g: {
      name,
      node: [{ opType: 'Identity', name: `${name}_id`, input: [read], output: [`${name}_out`], attribute: [] }],
      initializer: [],
      input: [],
      output: [{ name: `${name}_out`, type: { tensorType: { elemType: 1 } } }],
      valueInfo: [],
    },
  });
  const out = b.node('If', [cond], [branch('then_branch', doubled), branch('else_branch', 'w')])[0]!;
  b.exposeOutput(out);
  foldShapes(g, new Map([['x', [3]]]), 17);
  assert.ok(g.initializer.some((t) => t.name === 'w'));
  assert.ok(g.node.some((n) => n.output.includes(doubled)));
  const session = await ort().InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  const run = async (values: number[]) => Array.from((await session.run({ x: new (ort().Tensor)('float32', Float32Array.from(values), [3]) }))[out]!.data as Float32Array);
  assert.deepEqual(await run([1, 2, 3]), [2, 4, 6]);
  assert.deepEqual(await run([-1, -2, -3]), [1, 2, 3]);
  await session.release();
});

test('a hostile shape computation is left to the runtime, not built: 10¹² elements, a zero Range step, negative dims', () => {
  const model = emptyModel(17);
  const b = new GraphBuilder(model.graph, 'case/');
  model.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1 } } });
  const huge = b.op('ConstantOfShape', [b.constInt64([1_000_000, 1_000_000])]);
  const endless = b.op('Range', [b.constInt64([0], []), b.constInt64([10], []), b.constInt64([0], [])]);
  const negative = b.op('ConstantOfShape', [b.constInt64([-3])]);
  const wide = b.op('Expand', [b.constInt64([1], [1, 1]), b.constInt64([100_000, 100_000])]);
  for (const name of [huge, endless, negative, wide]) b.exposeOutput(name, null);
  const started = Date.now();
  const result = foldShapes(model.graph, new Map(), 17);
  assert.ok(Date.now() - started < 1000);
  assert.equal(result.folded, 0);
  assert.equal(model.graph.node.length, 4);
});

test('an out-of-range Gather index or an integer division by zero is left to the runtime', () => {
  const model = emptyModel(17);
  const b = new GraphBuilder(model.graph, 'case/');
  model.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1 } } });
  const outside = b.op('Gather', [b.constInt64([1, 2, 3]), b.constInt64([7], [])], { axis: 0 });
  const divided = b.op('Div', [b.constInt64([4]), b.constInt64([0])]);
  const fine = b.op('Div', [b.constInt64([9]), b.constInt64([2])]);
  for (const name of [outside, divided, fine]) b.exposeOutput(name, null);
  foldShapes(model.graph, new Map(), 17);
  assert.deepEqual(
    model.graph.node.map((n) => n.opType),
    ['Gather', 'Div'],
  );
  assert.deepEqual(tensorValues(model.graph.initializer.find((t) => t.name === fine)!), [4]);
});

test("int64 'to the end' sentinels survive folding (2⁶³ − 1 does not wrap round to −2⁶³)", async () => {
  const model = emptyModel(17);
  const b = new GraphBuilder(model.graph, 'case/');
  model.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }, { dimValue: 5 }] } } } });
  const max = new BigInt64Array([2n ** 63n - 1n]);
  model.graph.initializer.push({ name: 'end', dims: [1], dataType: TensorType.INT64, rawData: new Uint8Array(max.buffer) });
  const ends = b.op('Concat', [b.op('Gather', [b.op('Shape', ['x']), b.constInt64([0])], { axis: 0 }), 'end'], { axis: 0 });
  const sliced = b.op('Slice', ['x', b.constInt64([0, 1]), ends, b.constInt64([0, 1])]);
  b.exposeOutput(sliced);
  foldShapes(model.graph, new Map([['x', [2, 5]]]), 17);
  const folded = model.graph.initializer.find((t) => t.name === ends)!;
  const raw = folded.rawData!;
  assert.deepEqual(Array.from(new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))), [2n, 2n ** 63n - 1n]);
  const session = await ort().InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  const out = (
    await session.run({
      x: new (ort().Tensor)(
        'float32',
        Float32Array.from({ length: 10 }, (_, i) => i),
        [2, 5],
      ),
    })
  )[sliced]!;
  assert.deepEqual(out.dims, [2, 4]);
  await session.release();
});

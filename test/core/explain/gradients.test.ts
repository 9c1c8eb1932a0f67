import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float } from '../../../src/core/onnx/attributes';
import { gradCheck, randomValues, worstError, type BuildOp } from './gradCheck';

interface Case {
  readonly name: string;
  readonly shape: number[];
  readonly build: BuildOp;
  readonly opset?: number;
}

const w = (n: number, seed: number, low = -1, high = 1): number[] => randomValues(n, seed, low, high);

const cases: Case[] = [
  // Element-wise activations.
  { name: 'Relu', shape: [1, 2, 3, 3], build: (b, x) => b.op('Relu', [x]) },
  { name: 'LeakyRelu', shape: [2, 9], build: (b, x) => b.op('LeakyRelu', [x], { alpha: float(0.1) }) },
  { name: 'Clip', shape: [18], build: (b, x) => b.op('Clip', [x, b.scalar(-0.5), b.scalar(0.7)]) },
  { name: 'Sigmoid', shape: [3, 4], build: (b, x) => b.op('Sigmoid', [x]) },
  { name: 'HardSigmoid', shape: [16], build: (b, x) => b.op('HardSigmoid', [b.op('Mul', [x, b.scalar(2)])], { alpha: float(1 / 6), beta: float(0.5) }) },
  { name: 'HardSwish', shape: [32], build: (b, x) => b.op('HardSwish', [b.op('Mul', [x, b.scalar(2)])]) },
  { name: 'Tanh', shape: [3, 4], build: (b, x) => b.op('Tanh', [x]) },
  { name: 'Sqrt', shape: [3, 4], build: (b, x) => b.op('Sqrt', [b.op('Add', [x, b.scalar(3)])]) },
  { name: 'Pow', shape: [3, 4], build: (b, x) => b.op('Pow', [b.op('Add', [x, b.scalar(3)]), b.scalar(2.5)]) },
  { name: 'Erf', shape: [3, 4], build: (b, x) => b.op('Erf', [x]) },
  { name: 'Exp and Neg', shape: [3, 4], build: (b, x) => b.op('Neg', [b.op('Exp', [x])]) },
  { name: 'Gelu', shape: [3, 4], build: (b, x) => b.op('Gelu', [x]), opset: 20 },
  { name: 'Identity, Dropout and Cast', shape: [2, 3], build: (b, x) => b.op('Cast', [b.op('Dropout', [b.op('Identity', [x])])], { to: 1 }) },
  // Broadcasting arithmetic, the explained tensor in either position.
  { name: 'Add (broadcast bias)', shape: [2, 3, 4], build: (b, x) => b.op('Add', [x, b.constFloat(w(4, 1), [4])]) },
  { name: 'Add (explained tensor broadcast)', shape: [3, 1], build: (b, x) => b.op('Add', [b.constFloat(w(24, 2), [2, 3, 4]), x]) },
  { name: 'Sub', shape: [3, 1], build: (b, x) => b.op('Sub', [b.constFloat(w(24, 3), [2, 3, 4]), x]) },
  { name: 'Mul (channel scale)', shape: [1, 3, 2, 2], build: (b, x) => b.op('Mul', [x, b.constFloat(w(3, 4), [1, 3, 1, 1])]) },
  { name: 'Mul (both operands)', shape: [2, 3], build: (b, x) => b.op('Mul', [x, b.op('ReduceMean', [x], { axes: [1] })]) },
  { name: 'Div', shape: [2, 3], build: (b, x) => b.op('Div', [x, b.constFloat(w(3, 5, 0.5, 2), [3])]) },
  { name: 'Div (by the explained tensor)', shape: [2, 3], build: (b, x) => b.op('Div', [b.constFloat(w(6, 6), [2, 3]), b.op('Add', [x, b.scalar(3)])]) },
  // Convolution, pooling, normalisation.
  { name: 'Conv (stride 2, pads)', shape: [1, 2, 5, 5], build: (b, x) => b.op('Conv', [x, b.constFloat(w(54, 7), [3, 2, 3, 3]), b.constFloat(w(3, 8), [3])], { strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'Conv (groups, dilation)', shape: [1, 4, 6, 6], build: (b, x) => b.op('Conv', [x, b.constFloat(w(72, 9), [4, 2, 3, 3])], { group: 2, dilations: [2, 2], pads: [1, 2, 2, 1] }) },
  { name: 'Conv (SAME_UPPER, stride 2, even size)', shape: [1, 1, 6, 6], build: (b, x) => b.op('Conv', [x, b.constFloat(w(18, 10), [2, 1, 3, 3])], { strides: [2, 2], auto_pad: 'SAME_UPPER' }) },
  {
    name: 'BatchNormalization',
    shape: [1, 3, 2, 2],
    build: (b, x) =>
      b.op('BatchNormalization', [x, b.constFloat(w(3, 11), [3]), b.constFloat(w(3, 12), [3]), b.constFloat(w(3, 13), [3]), b.constFloat(w(3, 14, 0.5, 2), [3])], { epsilon: float(1e-3) }),
  },
  { name: 'MaxPool (2x2, stride 2)', shape: [1, 2, 4, 4], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }) },
  { name: 'MaxPool (3x3, stride 2, overlapping)', shape: [1, 2, 5, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'AveragePool (pads excluded)', shape: [1, 2, 5, 5], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'AveragePool (pads included)', shape: [1, 2, 5, 5], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }) },
  { name: 'AveragePool (ceil mode)', shape: [1, 1, 6, 6], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }) },
  { name: 'GlobalAveragePool', shape: [1, 3, 3, 3], build: (b, x) => b.op('GlobalAveragePool', [x]) },
  // The same ops on 5-D volumes (NCDHW), as 3D CNNs export them.
  {
    name: 'Conv 3D (stride 2, pads)',
    shape: [1, 2, 4, 5, 3],
    build: (b, x) => b.op('Conv', [x, b.constFloat(w(162, 26), [3, 2, 3, 3, 3]), b.constFloat(w(3, 27), [3])], { strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }),
  },
  {
    name: 'Conv 3D (groups, dilation, uneven pads)',
    shape: [1, 4, 5, 4, 4],
    build: (b, x) => b.op('Conv', [x, b.constFloat(w(96, 28), [4, 2, 2, 2, 3])], { group: 2, dilations: [2, 1, 1], pads: [1, 0, 1, 0, 1, 1] }),
  },
  {
    name: 'BatchNormalization 3D',
    shape: [1, 3, 2, 3, 2],
    build: (b, x) =>
      b.op('BatchNormalization', [x, b.constFloat(w(3, 29), [3]), b.constFloat(w(3, 30), [3]), b.constFloat(w(3, 31), [3]), b.constFloat(w(3, 32, 0.5, 2), [3])], { epsilon: float(1e-5) }),
  },
  { name: 'MaxPool 3D (2x2x2, stride 2)', shape: [1, 2, 4, 4, 4], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }) },
  { name: 'MaxPool 3D (3x3x3, stride 2, overlapping, pads)', shape: [1, 1, 5, 4, 5], build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3, 3], strides: [2, 2, 2], pads: [1, 1, 1, 1, 1, 1] }) },
  { name: 'AveragePool 3D (pads excluded)', shape: [1, 2, 5, 4, 3], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 2, 3], strides: [2, 2, 1], pads: [1, 0, 1, 1, 0, 1] }) },
  {
    name: 'AveragePool 3D (pads included, ceil mode)',
    shape: [1, 1, 5, 5, 4],
    build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3, 2], strides: [2, 2, 2], pads: [1, 1, 0, 1, 1, 0], count_include_pad: 1, ceil_mode: 1 }),
  },
  { name: 'AveragePool 3D (AdaptiveAvgPool3d((2, 3, 2)) as torch exports it)', shape: [1, 2, 4, 6, 4], build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }) },
  { name: 'GlobalAveragePool 3D', shape: [1, 3, 2, 3, 2], build: (b, x) => b.op('GlobalAveragePool', [x]) },
  { name: 'GlobalMaxPool 3D', shape: [1, 2, 2, 3, 2], build: (b, x) => b.op('GlobalMaxPool', [x]) },
  { name: 'ReduceMean 3D (adaptive pool to 1, axes 2..4)', shape: [1, 2, 2, 3, 2], build: (b, x) => b.op('ReduceMean', [x], { axes: [2, 3, 4], keepdims: 1 }) },
  { name: 'GlobalMaxPool', shape: [1, 3, 3, 3], build: (b, x) => b.op('GlobalMaxPool', [x]) },
  { name: 'ReduceMean (axes attribute)', shape: [1, 3, 2, 2], build: (b, x) => b.op('ReduceMean', [x], { axes: [2, 3], keepdims: 1 }) },
  { name: 'ReduceSum (axes input, keepdims 0)', shape: [2, 3, 2], build: (b, x) => b.op('ReduceSum', [x, b.constInt64([0, 2])], { keepdims: 0 }) },
  { name: 'LayerNormalization', shape: [1, 3, 4], build: (b, x) => b.op('LayerNormalization', [x, b.constFloat(w(4, 15, 0.5, 1.5), [4]), b.constFloat(w(4, 16), [4])], { axis: -1 }) },
  { name: 'Softmax', shape: [2, 5], build: (b, x) => b.op('Softmax', [x], { axis: -1 }) },
  { name: 'LogSoftmax', shape: [2, 5], build: (b, x) => b.op('LogSoftmax', [x], { axis: 1 }) },
  // Linear layers.
  {
    name: 'Gemm (transB, alpha, beta)',
    shape: [1, 6],
    build: (b, x) => b.op('Gemm', [x, b.constFloat(w(24, 17), [4, 6]), b.constFloat(w(4, 18), [4])], { transB: 1, alpha: float(0.5), beta: float(2) }),
  },
  { name: 'Gemm (explained tensor as transposed A)', shape: [6, 2], build: (b, x) => b.op('Gemm', [x, b.constFloat(w(24, 19), [6, 4])], { transA: 1 }) },
  { name: 'MatMul (batched by a matrix)', shape: [1, 3, 4], build: (b, x) => b.op('MatMul', [x, b.constFloat(w(20, 20), [4, 5])]) },
  { name: 'MatMul (attention-like, both operands)', shape: [1, 3, 4], build: (b, x) => b.op('MatMul', [x, b.op('Transpose', [x], { perm: [0, 2, 1] })]) },
  // Shape and selection ops.
  { name: 'Flatten', shape: [1, 2, 2, 2], build: (b, x) => b.op('Flatten', [x], { axis: 1 }) },
  { name: 'Reshape', shape: [2, 6], build: (b, x) => b.op('Reshape', [x, b.constInt64([3, -1])]) },
  { name: 'Squeeze and Unsqueeze', shape: [1, 3, 1], build: (b, x) => b.op('Unsqueeze', [b.op('Squeeze', [x, b.constInt64([2])]), b.constInt64([0])]) },
  { name: 'Transpose', shape: [2, 3, 4], build: (b, x) => b.op('Transpose', [x], { perm: [2, 0, 1] }) },
  { name: 'Expand', shape: [3, 1], build: (b, x) => b.op('Expand', [x, b.constInt64([2, 3, 4])]) },
  { name: 'Concat (with itself and a constant)', shape: [1, 2, 3], build: (b, x) => b.op('Concat', [x, b.constFloat(w(3, 21), [1, 1, 3]), x], { axis: 1 }) },
  {
    name: 'Split',
    shape: [2, 6],
    build: (b, x) => {
      const [p, q] = b.node('Split', [x, b.constInt64([2, 4])], { axis: 1 }, 2);
      return b.op('Concat', [b.op('Mul', [p!, b.scalar(3)]), b.op('Mul', [q!, q!])], { axis: 1 });
    },
  },
  { name: 'Slice (steps, negative start)', shape: [2, 7], build: (b, x) => b.op('Slice', [x, b.constInt64([-6]), b.constInt64([7]), b.constInt64([1]), b.constInt64([2])]) },
  { name: 'Gather (class token, scalar index)', shape: [1, 5, 3], build: (b, x) => b.op('Gather', [x, b.constInt64([0], [])], { axis: 1 }) },
  { name: 'Gather (repeated indices)', shape: [4, 3], build: (b, x) => b.op('Gather', [x, b.constInt64([0, 2, 0])], { axis: 0 }) },
  { name: 'Tile', shape: [2, 3], build: (b, x) => b.op('Tile', [x, b.constInt64([2, 3])]) },
  // Element-wise ops the exports of real models contain.
  { name: 'Where (both branches)', shape: [2, 3], build: (b, x) => b.op('Where', [b.op('Greater', [x, b.scalar(0.3)]), b.op('Mul', [x, b.scalar(2)]), b.op('Mul', [x, x])]) },
  { name: 'Where (broadcast constant branch)', shape: [1, 3], build: (b, x) => b.op('Where', [b.op('Cast', [b.constInt64([1, 0, 1, 1, 0, 0], [2, 3])], { to: 9 }), b.scalar(0.5), x]) },
  { name: 'Reciprocal', shape: [3, 4], build: (b, x) => b.op('Reciprocal', [b.op('Add', [x, b.scalar(3)])]) },
  { name: 'Abs', shape: [3, 4], build: (b, x) => b.op('Abs', [x]) },
  { name: 'Softplus', shape: [3, 4], build: (b, x) => b.op('Softplus', [x]) },
  { name: 'Sum (three operands, broadcast)', shape: [2, 3], build: (b, x) => b.op('Sum', [x, b.op('Mul', [x, x]), b.constFloat(w(3, 22), [3])]) },
  { name: 'Max (with a constant)', shape: [2, 3], build: (b, x) => b.op('Max', [x, b.constFloat(w(6, 23, -0.3, 0.3), [2, 3])]) },
  { name: 'Min (broadcast operand)', shape: [1, 3], build: (b, x) => b.op('Min', [b.constFloat(w(6, 24), [2, 3]), x]) },
  // Shape computations torch.onnx exports, folded to constants before differentiation.
  {
    name: 'Slice with bounds computed from Shape (nn.MultiheadAttention chunk)',
    shape: [1, 3, 6],
    build: (b, x) => {
      const dim = b.op('Gather', [b.op('Shape', [x]), b.constInt64([2], [])], { axis: 0 });
      const third = b.op('Div', [dim, b.constInt64([3], [])]);
      const start = b.op('Unsqueeze', [b.op('Mul', [third, b.constInt64([1], [])]), b.constInt64([0])]);
      const end = b.op('Unsqueeze', [b.op('Mul', [third, b.constInt64([2], [])]), b.constInt64([0])]);
      return b.op('Slice', [x, start, end, b.constInt64([2])]);
    },
  },
  {
    name: 'Reshape and Expand to targets computed from Shape (dynamic batch)',
    shape: [2, 3, 4],
    build: (b, x) => {
      const shape = b.op('Shape', [x]);
      const batch = b.op('Slice', [shape, b.constInt64([0]), b.constInt64([1])]);
      const flat = b.op('Reshape', [x, b.op('Concat', [batch, b.constInt64([-1])], { axis: 0 })]);
      const target = b.op('Concat', [batch, b.constInt64([2, 12])], { axis: 0 });
      const wanted = b.op('Where', [b.op('Equal', [target, b.constInt64([-1, -1, -1])]), b.constInt64([1, 1, 1]), target]);
      return b.op('Expand', [b.op('Unsqueeze', [flat, b.constInt64([1])]), wanted]);
    },
  },
  // Attention as the exports write it: 4-D heads, softmax over the last axis.
  {
    name: 'MatMul and Softmax (4-D heads: q·kᵀ, softmax, ·v)',
    shape: [1, 2, 3, 4],
    build: (b, x) => b.op('MatMul', [b.op('Softmax', [b.op('MatMul', [x, b.op('Transpose', [x], { perm: [0, 1, 3, 2] })])], { axis: -1 }), x]),
  },
  // Opset 18's forms: Reduce* axes as an input, Split by num_outputs, Pad with axes.
  { name: 'ReduceMean (opset 18, axes input)', shape: [1, 3, 2, 2], build: (b, x) => b.op('ReduceMean', [x, b.constInt64([-1])], { keepdims: 1 }), opset: 18 },
  {
    name: 'Split (opset 18, num_outputs)',
    shape: [2, 6],
    build: (b, x) => {
      const [p, q, r] = b.node('Split', [x], { axis: 1, num_outputs: 3 }, 3);
      return b.op('Concat', [b.op('Mul', [p!, b.scalar(3)]), b.op('Mul', [q!, q!]), r!], { axis: 1 });
    },
    opset: 18,
  },
  { name: 'Pad (opset 18, axes input)', shape: [1, 1, 2, 3], build: (b, x) => b.op('Pad', [x, b.constInt64([1, 2, 2, 1]), b.scalar(0), b.constInt64([2, 3])]), opset: 18 },
  { name: 'Pad (constant)', shape: [1, 1, 2, 3], build: (b, x) => b.op('Pad', [x, b.constInt64([0, 0, 1, 2, 0, 0, 2, 1]), b.scalar(0)]) },
];

for (const c of cases) {
  test(`gradient of ${c.name} matches central finite differences`, async () => {
    const check = await gradCheck(c.shape, c.build, c.opset ? { opset: c.opset } : {});
    assert.equal(check.analytic.length, check.numeric.length);
    assert.ok(
      check.numeric.some((v) => Math.abs(v) > 1e-3),
      'the case has a non-zero gradient',
    );
    assert.equal(worstError(check), 0, `analytic ${check.analytic.map((v) => v.toFixed(4))}\nnumeric  ${check.numeric.map((v) => v.toFixed(4))}`);
  });
}

test('an op outside the differentiable set is named in a clear error', async () => {
  await assert.rejects(
    gradCheck([2, 3], (b, x) => b.op('Sin', [x])),
    /cannot differentiate op Sin .*gradient-free methods/,
  );
});

test('the error names the op and its node, the nearest layers after it that differentiate, and the gradient-free methods', async () => {
  await assert.rejects(
    gradCheck([1, 2, 4, 4], (b, x) => b.op('Relu', [b.op('Conv', [b.op('Sin', [x]), b.constFloat(w(36, 25), [2, 2, 3, 3])], { pads: [1, 1, 1, 1] })])),
    /cannot differentiate op Sin \(node 'case\/Sin_node_\d+'\) between 'x' and the logits; the nearest layers after it that do differentiate: 'case\/Conv_\d+' \(Conv\), 'case\/Relu_\d+' \(Relu\), .*\(pass one with --layer\); gradient-free methods \(eigencam, scorecam, ablationcam, occlusion\) still work/,
  );
});

test('models older than opset 13 are refused for gradients with the reason', async () => {
  await assert.rejects(
    gradCheck([2, 3], (b, x) => b.op('Relu', [x]), { opset: 12 }),
    /opset 12; gradient methods need opset 13/,
  );
});

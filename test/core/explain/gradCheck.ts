import type { InferenceSession } from 'onnxruntime-node';
import { deriveGradientModel } from '../../../src/core/explain/deriveGradientModel';
import { CLASS_INPUT, GRADIENT_OUTPUT } from '../../../src/core/explain/backwardGraph';
import { ort } from '../../../src/core/native/ort';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { encodeModel } from '../../../src/core/onnx/modelProto';
import type { ModelProto } from '../../../src/core/onnx/onnxSchema';

/**
 * Builds tiny ONNX graphs in TypeScript and checks the derived gradient of
 * L = Σ R·f(x) against central finite differences of L computed by
 * onnxruntime on the forward graph alone.
 */

/** A deterministic PRNG so every run checks the same numbers. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomValues(n: number, seed: number, low = -1, high = 1): number[] {
  const next = random(seed);
  return Array.from({ length: n }, () => low + (high - low) * next());
}

/** Distinct, evenly spaced values in shuffled order: no ties and no value near a kink at 0 or ±3. */
export function spacedValues(n: number, seed: number, range = 2): number[] {
  const values = Array.from({ length: n }, (_, i) => -range + ((i + 0.5) * 2 * range) / n);
  const next = random(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

export type BuildOp = (b: GraphBuilder, x: string) => string;

export function emptyModel(opset: number): ModelProto & { graph: NonNullable<ModelProto['graph']> } {
  return {
    irVersion: opset >= 19 ? 9 : 8,
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: [],
    graph: { name: 'case', node: [], initializer: [], input: [], output: [], valueInfo: [] },
  };
}

/** x_in → Identity → x → op → y → Σ R·y → logits [1,1]; R is fixed once y's shape is known. */
function buildModel(shape: readonly number[], build: BuildOp, opset: number, weights?: { values: number[]; dims: number[] }): { bytes: Uint8Array } {
  const model = emptyModel(opset);
  const b = new GraphBuilder(model.graph, 'case/');
  model.graph.input.push({ name: 'x_in', type: { tensorType: { elemType: 1, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  model.graph.node.push({ opType: 'Identity', name: 'id', input: ['x_in'], output: ['x'], attribute: [] });
  const y = build(b, 'x');
  if (!weights) {
    b.exposeOutput(y);
    return { bytes: encodeModel(model) };
  }
  const weighted = b.op('Mul', [y, b.constFloat(weights.values, weights.dims)]);
  const flat = b.op('Reshape', [weighted, b.constInt64([1, weights.values.length])]);
  model.graph.node.push({ opType: 'ReduceSum', name: 'sum', input: [flat, b.constInt64([1])], output: ['logits'], attribute: [{ name: 'keepdims', type: 2, i: 1 }] });
  model.graph.output.push({ name: 'logits', type: { tensorType: { elemType: 1 } } });
  return { bytes: encodeModel(model) };
}

async function session(bytes: Uint8Array): Promise<InferenceSession> {
  return ort().InferenceSession.create(bytes, { logSeverityLevel: 3 });
}

export interface GradCheck {
  readonly analytic: number[];
  readonly numeric: number[];
}

export async function gradCheck(shape: readonly number[], build: BuildOp, options: { opset?: number; x?: number[]; eps?: number } = {}): Promise<GradCheck> {
  const opset = options.opset ?? 17;
  const n = shape.reduce((a, b) => a * b, 1);
  const x = options.x ?? spacedValues(n, 7);
  const Tensor = ort().Tensor;
  const feed = (values: number[]) => ({ x_in: new Tensor('float32', Float32Array.from(values), [...shape]) });

  const probe = await session(buildModel(shape, build, opset).bytes);
  const yTensor = Object.values(await probe.run(feed(x)))[0]!;
  await probe.release();
  const weights = { values: randomValues(yTensor.data.length, 11, 0.5, 1.5), dims: yTensor.dims.map(Number) };
  const forwardBytes = buildModel(shape, build, opset, weights).bytes;

  const derived = await deriveGradientModel(forwardBytes, { target: 'x', logits: 'logits', feeds: feed(x), file: 'case.onnx' });
  const gradSession = await session(derived);
  const out = await gradSession.run({ ...feed(x), [CLASS_INPUT]: new Tensor('int64', BigInt64Array.from([0n]), [1]) });
  const analytic = Array.from(out[GRADIENT_OUTPUT]!.data as Float32Array);
  await gradSession.release();

  const forward = await session(forwardBytes);
  const eps = options.eps ?? 5e-3;
  const loss = async (values: number[]): Promise<number> => (Object.values(await forward.run(feed(values)))[0]!.data as Float32Array)[0]!;
  const numeric: number[] = [];
  for (let i = 0; i < n; i++) {
    const plus = [...x];
    const minus = [...x];
    plus[i]! += eps;
    minus[i]! -= eps;
    numeric.push(((await loss(plus)) - (await loss(minus))) / (2 * eps));
  }
  await forward.release();
  return { analytic, numeric };
}

/** The largest |analytic − numeric| beyond a tolerance of 1e-3 + 1e-2·|numeric|, or 0. */
export function worstError(check: GradCheck): number {
  let worst = 0;
  check.numeric.forEach((fd, i) => {
    const excess = Math.abs(check.analytic[i]! - fd) - (1e-3 + 1e-2 * Math.abs(fd));
    worst = Math.max(worst, excess);
  });
  return worst;
}

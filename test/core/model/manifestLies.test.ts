import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadModel } from '../../../src/core/model/loadModel';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { decodeModel, encodeModel } from '../../../src/core/onnx/modelProto';
import type { GraphProto } from '../../../src/core/onnx/onnxSchema';
import { ROOT, fixture } from '../../helpers/paths';

/*
 * Manifests that lie about their graph, one way each: every one must fail at
 * load in one line naming model.json and the field, not at the first scan (as
 * a raw onnxruntime error) or never (as "probabilities" that are logits).
 */

const work = mkdtempSync(join(tmpdir(), 'scanlens-lies-'));
after(() => rmSync(work, { recursive: true, force: true }));

const DEMO = join(ROOT, 'models', 'brain-mri-demo');
const demoBytes = readFileSync(join(DEMO, 'model.onnx'));
/** A manifest as plain JSON, its input and output open for editing. */
type Fields = Record<string, unknown> & { input: Record<string, unknown>; output: Record<string, unknown>; labels: string[] };
const demoManifest = JSON.parse(readFileSync(join(DEMO, 'model.json'), 'utf8')) as Fields;

/** The demo model with its graph edited (a node appended, a declared shape changed). */
function demoVariant(edit: (graph: GraphProto, builder: GraphBuilder) => void): Uint8Array {
  const model = decodeModel(demoBytes);
  edit(model.graph, new GraphBuilder(model.graph, 'test/'));
  return encodeModel(model);
}

/** The demo model's output renamed to `name`, computed by `tail` from the logits. */
function withTail(name: string, tail: (builder: GraphBuilder, logits: string) => string): Uint8Array {
  return demoVariant((graph, builder) => {
    const out = tail(builder, 'logits');
    graph.node.at(-1)!.output = graph.node.at(-1)!.output.map((o) => (o === out ? name : o));
    graph.output.splice(0, graph.output.length, { name, type: { tensorType: { elemType: 1 } } });
  });
}

const declaredShape = (dims: (number | string)[]) => ({ dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });

let count = 0;
/** A folder with the model bytes and a manifest: the demo's, changed by `edit`, with the bytes' sha256. */
function modelFolder(bytes: Uint8Array, edit: (m: Fields) => void = () => {}): string {
  const dir = join(work, `model-${count++}`);
  const manifest = structuredClone(demoManifest);
  delete manifest['card'];
  manifest['sha256'] = createHash('sha256').update(bytes).digest('hex');
  edit(manifest);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.onnx'), bytes);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
  return join(dir, 'model.json');
}

async function refused(manifestPath: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadModel(manifestPath, { threads: 1 }), (error: Error) => {
    assert.match(error.message, pattern);
    assert.ok(error.message.startsWith(`${manifestPath}: `), `names the manifest: ${error.message}`);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  });
}

test('the honest demo manifest loads', async () => {
  const model = await loadModel(modelFolder(demoBytes), { threads: 1 });
  assert.equal(model.outputName, 'logits');
  await model.session.release();
});

test("a lie about input.channels names the field and the graph's channel count", async () => {
  await refused(
    modelFolder(demoBytes, (m) => (m.input.channels = 3)),
    /model\.json: field 'input\.channels' says 3, but the graph's input 'input' has 1 channel \(NCHW \[batch, 1, 128, 128\]\)$/,
  );
});

test("a lie about input.size names the field and the graph's size", async () => {
  await refused(
    modelFolder(demoBytes, (m) => (m.input.size = { width: 224, height: 224 })),
    /field 'input\.size' says 224×224, but the graph's input 'input' is 128×128 \(width×height; NCHW \[batch, 1, 128, 128\]\)$/,
  );
});

test('a lie about input.layout is told from channels and size: NHWC for an NCHW graph, NCHW for an NHWC one', async () => {
  await refused(
    modelFolder(demoBytes, (m) => (m.input.layout = 'NHWC')),
    /field 'input\.layout' says NHWC, but the graph's input 'input' is NCHW \[batch, 1, 128, 128\]$/,
  );
  // tiny-fixed-nhwc: [1, 8, 8, 3] → [1, 3].
  const nhwc = readFileSync(fixture('models', 'tiny-fixed-nhwc.onnx'));
  const honest = (m: Fields): void => {
    // This fixture ends in a softmax.
    m.output.type = 'probabilities';
    m.input = { name: 'input', layout: 'NHWC', channels: 3, size: { width: 8, height: 8 } };
    m.labels = ['a', 'b', 'c'];
    delete m['explain'];
  };
  const model = await loadModel(modelFolder(nhwc, honest), { threads: 1 });
  await model.session.release();
  await refused(
    modelFolder(nhwc, (m) => {
      honest(m);
      m.input.layout = 'NCHW';
    }),
    /field 'input\.layout' says NCHW, but the graph's input 'input' is NHWC \[1, 8, 8, 3\]$/,
  );
});

/** A graph of its own: input 'input' of the given shape, flattened and multiplied into 4 logits. */
function flatGraph(inputDims: (number | string)[]): Uint8Array {
  const values = inputDims.slice(1).reduce<number>((a, d) => a * (d as number), 1);
  const model = decodeModel(demoBytes);
  model.graph = { name: 'flat', node: [], initializer: [], input: [], output: [], valueInfo: [] };
  const builder = new GraphBuilder(model.graph, 'test/');
  model.graph.input.push({ name: 'input', type: { tensorType: { elemType: 1, shape: declaredShape(inputDims) } } });
  const flat = builder.op('Flatten', ['input'], { axis: 1 });
  const weights = builder.constFloat(
    Float32Array.from({ length: values * 4 }, (_, i) => Math.sin(i)),
    [values, 4],
  );
  model.graph.node.push({ opType: 'MatMul', name: 'logits', input: [flat, weights], output: ['logits'], attribute: [] });
  model.graph.output.push({ name: 'logits', type: { tensorType: { elemType: 1 } } });
  return encodeModel(model);
}

test('an input the graph declares with 3 dimensions, or a fixed batch other than 1, is refused at load', async () => {
  const small = (m: Fields): void => {
    m.input.size = { width: 8, height: 8 };
    delete m['explain'];
  };
  const honest = await loadModel(modelFolder(flatGraph(['batch', 1, 8, 8]), small), { threads: 1 });
  await honest.session.release();
  await refused(modelFolder(flatGraph(['batch', 8, 8]), small), /field 'input\.layout' says NCHW, but the graph's input 'input' has 3 dimensions \[batch, 8, 8\]; an image input has 4$/);
  const four = demoVariant((graph) => (graph.input[0]!.type!.tensorType!.shape = declaredShape([4, 1, 128, 128])));
  await refused(modelFolder(four), /the graph's input 'input' fixes the batch size at 4 \[4, 1, 128, 128\]/);
});

test('input.name and output.name must be names in the graph', async () => {
  await refused(
    modelFolder(demoBytes, (m) => (m.input.name = 'image')),
    /field 'input\.name' says 'image', but the graph's inputs are: input$/,
  );
  await refused(
    modelFolder(demoBytes, (m) => (m.output.name = 'probs')),
    /field 'output\.name' says 'probs', but the graph's outputs are: logits$/,
  );
});

test("labels are counted against the output's declared classes, and on the probe run when the graph leaves them open", async () => {
  await refused(
    modelFolder(demoBytes, (m) => (m.labels = ['glioma', 'meningioma', 'notumor'])),
    /field 'labels' lists 3 labels, but the graph's output 'logits' has 4 values per input \[batch, 4\]$/,
  );
  // onnxruntime infers what a graph leaves undeclared; after a reshape to [-1] it cannot, and the probe counts.
  const open = withTail('flat', (b, logits) => b.op('Reshape', [logits, b.constInt64([-1])]));
  await refused(
    modelFolder(open, (m) => {
      m.output.name = 'flat';
      m.labels = ['a', 'b', 'c', 'd', 'e'];
    }),
    /field 'labels' lists 5 labels, but the graph's output 'flat' gave 4 values for one input \(\[4\] on a probe run\)$/,
  );
});

test('output.type probabilities on a model that gives logits is refused with what the probe saw', async () => {
  await refused(
    modelFolder(demoBytes, (m) => (m.output.type = 'probabilities')),
    /field 'output\.type' says probabilities, but the graph's output 'logits' gave values from -?[\d.]+ to -?[\d.]+ summing to -?[\d.e+-]+ on a probe input: not probabilities/,
  );
});

test('a softmax model: probabilities load, and logits are refused (a second softmax would flatten them)', async () => {
  const softmaxed = withTail('probs', (b, logits) => b.op('Softmax', [logits], { axis: -1 }));
  const honest = await loadModel(
    modelFolder(softmaxed, (m) => (m.output = { name: 'probs', type: 'probabilities' })),
    { threads: 1 },
  );
  await honest.session.release();
  await refused(
    modelFolder(softmaxed, (m) => (m.output = { name: 'probs', type: 'logits' })),
    /field 'output\.type' is logits \(the default when left out\), but the graph's output 'probs' gave values in \[0,1\] summing to 1 on a probe input/,
  );
});

test('sigmoid scores are not a distribution over the labels: probabilities refused', async () => {
  const sigmoid = withTail('scores', (b, logits) => b.op('Sigmoid', [logits]));
  await refused(
    modelFolder(sigmoid, (m) => (m.output = { name: 'scores', type: 'probabilities' })),
    /field 'output\.type' says probabilities, .*summing to [\d.]+ on a probe input/,
  );
});

test('a model that gives NaN is refused whatever its manifest says', async () => {
  const broken = withTail('logits_nan', (b, logits) => b.op('Mul', [logits, b.scalar(Number.NaN)]));
  await refused(
    modelFolder(broken, (m) => (m.output.name = 'logits_nan')),
    /output 'logits_nan' gave NaN \(value 0 of 4\) on a probe input/,
  );
});

test('a graph with open dimensions accepts any size, and a wrong one fails on the probe run naming the fields', async () => {
  const open = demoVariant((graph) => (graph.input[0]!.type!.tensorType!.shape = declaredShape(['batch', 'c', 'h', 'w'])));
  // The demo's global average pool takes any size.
  const bigger = await loadModel(
    modelFolder(open, (m) => (m.input.size = { width: 96, height: 160 })),
    { threads: 1 },
  );
  await bigger.session.release();
  await refused(
    modelFolder(open, (m) => (m.input.channels = 3)),
    /a probe run on one 128×128 3-channel NCHW input failed: check input\.channels, input\.size and input\.layout in model\.json \(/,
  );
});

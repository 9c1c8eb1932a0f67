import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_RESULT_SCHEMAS, SliceDataSchema, ToHostSchema, ToWebviewSchema } from '../../src/protocol/viewerMessages';

test('a slice request from the page validates; a negative index or unknown axis does not', () => {
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 1, request: { type: 'slice', axis: 'coronal', index: 3 } }).success);
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 1, request: { type: 'slice', axis: 'coronal', index: -1 } }).success, false);
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 1, request: { type: 'slice', axis: 'oblique', index: 0 } }).success, false);
});

test('an explain request names what is computed, method and class; an export carries the overlay as shown, opacity within 0…1', () => {
  const explain = { type: 'explain', axis: 'axial', index: 0, method: 'gradcam++', classIndex: 2 };
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 2, request: explain }).success);
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 2, request: { ...explain, classIndex: undefined } }).success, 'the top class');
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 2, request: { ...explain, method: 'anomaly' } }).success, false);
  const overlay = { method: 'gradcam++', colormap: 'viridis', opacity: 0.5, classIndex: 2 };
  const window = { center: 0, width: 1 };
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 3, request: { type: 'export', axis: 'axial', index: 0, overlay, window } }).success);
  const tooOpaque = { ...overlay, opacity: 1.5 };
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 3, request: { type: 'export', axis: 'axial', index: 0, overlay: tooOpaque, window } }).success, false);
});

test('the host asks the page for its state; an answer is a response under the same id', () => {
  assert.ok(ToWebviewSchema.safeParse({ kind: 'request', id: 7, request: { type: 'state' } }).success);
  assert.ok(ToHostSchema.safeParse({ kind: 'response', id: 7, ok: false, error: 'the viewer was closed' }).success);
  assert.equal(ToWebviewSchema.safeParse({ kind: 'request', id: 7, request: { type: 'eval', code: '1' } }).success, false);
});

test('an overlay answer is heat over the slice: a Float32Array of one value per pixel, each within 0…1 or NaN (not seen)', () => {
  const answer = { method: 'gradcam', classIndex: 0, label: 'glioma', mapSize: [16, 16] };
  const heat = (values: Float32Array | number[]) => ({ ...answer, heat: { width: 2, height: 2, values } });
  assert.ok(HOST_RESULT_SCHEMAS.explain.safeParse(heat(Float32Array.of(0, 0.5, 1, NaN))).success);
  assert.equal(HOST_RESULT_SCHEMAS.explain.safeParse(heat(Float32Array.of(0, 0.5, 1))).success, false, 'a value short');
  assert.equal(HOST_RESULT_SCHEMAS.explain.safeParse(heat(Float32Array.of(0, 0.5, 1.5, 0))).success, false, 'off the scale');
  assert.equal(HOST_RESULT_SCHEMAS.explain.safeParse(heat(Float32Array.of(-0.1, 0.5, 1, 0))).success, false, 'off the scale');
  assert.equal(HOST_RESULT_SCHEMAS.explain.safeParse(heat([0, 0.5, 1, 0])).success, false, 'not a typed array');
  assert.equal(HOST_RESULT_SCHEMAS.explain.safeParse({ ...answer, png: 'data:image/png;base64,iVBORw0KGgo=' }).success, false, 'no coloured picture');
});

test('a probabilities answer carries the guard verdict whole: score and threshold together, a flag only with both', () => {
  const answer = { labels: ['a', 'b'], probabilities: [0.9, 0.1], model: 'demo' };
  const verdict = { anomalyScore: 38.3, anomalyThreshold: 13.1, flag: 'input unlike the training data' };
  assert.deepEqual(HOST_RESULT_SCHEMAS.classify.parse({ ...answer, ...verdict }), { ...answer, ...verdict });
  assert.ok(HOST_RESULT_SCHEMAS.classify.safeParse(answer).success);
  assert.equal(HOST_RESULT_SCHEMAS.classify.safeParse({ ...answer, flag: verdict.flag }).success, false);
  assert.equal(HOST_RESULT_SCHEMAS.classify.safeParse({ ...answer, anomalyScore: 38.3 }).success, false);
});

test('the anomaly map is an overlay choice, but never an explanation method; its answer carries its heat and the score with its threshold', () => {
  const overlay = { method: 'anomaly', colormap: 'jet', opacity: 0.4 };
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 3, request: { type: 'export', axis: 'axial', index: 0, overlay, window: { center: 0, width: 1 } } }).success);
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 3, request: { type: 'explain', axis: 'axial', index: 0, method: 'anomaly' } }).success, false);
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 4, request: { type: 'anomalyMap', axis: 'sagittal', index: 2 } }).success);
  const answer = { heat: { width: 1, height: 2, values: Float32Array.of(0.5, NaN) }, anomalyScore: 38.3, anomalyThreshold: 13.1, mapSize: [128, 128] };
  assert.ok(HOST_RESULT_SCHEMAS.anomalyMap.safeParse(answer).success);
  assert.equal(HOST_RESULT_SCHEMAS.anomalyMap.safeParse({ ...answer, anomalyThreshold: undefined }).success, false);
});

test('a 16-bit slice answer reads as float32 in modality units; other typed arrays are refused', () => {
  const slice = { axis: 'axial', index: 0, width: 2, height: 1, channels: 1 };
  const parsed = SliceDataSchema.parse({ ...slice, values: Int16Array.of(-1000, 24), rescale: { slope: 0.5, intercept: -10 } });
  assert.ok(parsed.values instanceof Float32Array);
  assert.deepEqual([...parsed.values], [-510, 2]);
  assert.equal(SliceDataSchema.safeParse({ ...slice, values: Float64Array.of(1, 2) }).success, false);
  assert.equal(SliceDataSchema.safeParse({ ...slice, values: [1, 2] }).success, false);
});

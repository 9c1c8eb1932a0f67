import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResultsEntry } from '../../src/protocol/resultsMessages';
import { ToHostSchema, ToWebviewSchema } from '../../src/protocol/resultsMessages';
import { confidentlyWrong, mostUncertain } from '../../src/webview/results/galleries';
import { query } from '../../src/webview/results/resultsQuery';

const image = (file: string, label: string, probability: number, extra: Partial<ResultsEntry> = {}): ResultsEntry => ({
  file,
  kind: 'image',
  top: { label, probability },
  margin: 2 * probability - 1,
  entropy: 1 - probability,
  ...extra,
});

const entries: ResultsEntry[] = [
  image('scans/b10.png', 'glioma', 0.9, { truth: 'glioma' }),
  image('scans/b2.png', 'notumor', 0.55, { truth: 'glioma', anomaly: { score: 3, threshold: 2, flagged: true } }),
  { file: 'scans/broken.png', kind: 'image', error: 'scans/broken.png: not a PNG' },
  image('scans/a1.png', 'glioma', 0.7, { truth: 'notumor', anomaly: { score: 1, threshold: 2, flagged: false } }),
  image('scans/c3.png', 'pituitary', 0.4),
];

test('sorting: file names in natural order (b2 before b10), numbers either way, error rows last both ways', () => {
  assert.deepEqual(query(entries, {}, { key: 'file', descending: false }), [3, 1, 0, 2, 4]);
  assert.deepEqual(query(entries, {}, { key: 'probability', descending: true }), [0, 3, 1, 4, 2]);
  assert.deepEqual(query(entries, {}, { key: 'probability', descending: false }), [4, 1, 3, 0, 2]);
  assert.deepEqual(query(entries, {}, { key: 'entropy', descending: true }), [4, 1, 3, 0, 2]);
  assert.deepEqual(query(entries, {}, { key: 'margin', descending: false }), [4, 1, 3, 0, 2]);
  assert.deepEqual(query(entries, {}, { key: 'anomaly', descending: true }), [1, 3, 0, 2, 4], 'rows without a score keep their order after the scored ones');
  assert.deepEqual(query(entries, {}, { key: 'class', descending: false }), [0, 3, 1, 4, 2], 'by class, the most probable first within one');
});

test('filters: class, text, probability, margin, entropy, flag, errors, true class and mistakes each narrow the rows', () => {
  const by = { key: 'file', descending: false } as const;
  assert.deepEqual(query(entries, { label: 'glioma' }, by), [3, 0]);
  assert.deepEqual(query(entries, { text: 'B1' }, by), [0], 'case-insensitive, in the file name');
  assert.deepEqual(query(entries, { text: 'pitu' }, by), [4], 'or the top class');
  assert.deepEqual(query(entries, { minProbability: 0.6 }, by), [3, 0]);
  assert.deepEqual(query(entries, { maxProbability: 0.6 }, by), [1, 4]);
  assert.deepEqual(query(entries, { maxMargin: 0.2 }, by), [1, 4]);
  assert.deepEqual(query(entries, { minEntropy: 0.4 }, by), [1, 4]);
  assert.deepEqual(query(entries, { flagged: 'flagged' }, by), [1]);
  assert.deepEqual(query(entries, { flagged: 'unflagged' }, by), [3], 'only rows the guard scored and passed');
  assert.deepEqual(query(entries, { errors: 'only' }, by), [2]);
  assert.deepEqual(query(entries, { errors: 'none' }, by), [3, 1, 0, 4]);
  assert.deepEqual(query(entries, { truth: 'glioma' }, by), [1, 0]);
  assert.deepEqual(query(entries, { wrong: true }, by), [3, 1]);
  assert.deepEqual(query(entries, { truth: 'glioma', label: 'notumor' }, by), [1], 'a confusion-matrix cell');
});

test('galleries: confidently wrong is the mistakes by falling probability; most uncertain by falling entropy, error rows left out', () => {
  assert.deepEqual(confidentlyWrong(entries), [3, 1]);
  assert.deepEqual(mostUncertain(entries), [4, 1, 3, 0]);
  assert.deepEqual(mostUncertain(entries, 2), [4, 1]);
});

test('messages: the page may ask for a thumbnail or export rows by index; the host may drive sort and filter; nothing else passes', () => {
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 1, request: { type: 'thumbnail', index: 4 } }).success);
  assert.ok(ToHostSchema.safeParse({ kind: 'request', id: 2, request: { type: 'export', format: 'csv', indices: [0, 3] } }).success);
  assert.equal(
    ToHostSchema.safeParse({ kind: 'request', id: 2, request: { type: 'export', format: 'csv', indices: [0, 3], path: '/etc/passwd' } }).success,
    true,
    'unknown keys are dropped, not obeyed',
  );
  assert.equal('path' in (ToHostSchema.parse({ kind: 'request', id: 2, request: { type: 'export', format: 'csv', indices: [], path: '/x' } }) as { request: object }).request, false);
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 3, request: { type: 'export', format: 'xlsx', indices: [] } }).success, false);
  assert.equal(ToHostSchema.safeParse({ kind: 'request', id: 4, request: { type: 'thumbnail', index: -1 } }).success, false);
  assert.ok(ToWebviewSchema.safeParse({ kind: 'request', id: 5, request: { type: 'sort', sort: { key: 'entropy', descending: true } } }).success);
  assert.equal(ToWebviewSchema.safeParse({ kind: 'request', id: 6, request: { type: 'sort', sort: { key: 'path', descending: true } } }).success, false);
  assert.equal(ToWebviewSchema.safeParse({ kind: 'request', id: 7, request: { type: 'filter', filter: { minProbability: 1.5 } } }).success, false);
});

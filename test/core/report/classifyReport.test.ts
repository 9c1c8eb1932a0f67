import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detailsMarkdown, topLine } from '../../../src/core/report/detailsMarkdown';
import { reportStamp, summarise } from '../../../src/core/report/classifyReport';

const row = {
  kind: 'image' as const,
  file: 'scans/a.png',
  labels: ['glioma', 'meningioma', 'notumor'],
  probabilities: [0.1, 0.7, 0.2],
  top: { label: 'meningioma', probability: 0.7 },
  topK: [
    { label: 'meningioma', probability: 0.7 },
    { label: 'notumor', probability: 0.2 },
  ],
};

test('summarise counts classified, failed and skipped', () => {
  assert.deepEqual(summarise([row, { kind: 'image', file: 'b.png', error: 'b.png: bad' }], 3, true), { files: 2, classified: 1, failed: 1, skipped: 3, cancelled: true });
});

test('reportStamp is sortable and has no characters file systems refuse', () => {
  assert.equal(reportStamp(new Date(Date.UTC(2025, 0, 31, 14, 5, 9, 123))), '2025-01-31T14-05-09-123Z');
});

test('topLine and detailsMarkdown rank classes by probability', () => {
  assert.equal(topLine(row), 'meningioma 70.0% · notumor 20.0%');
  const md = detailsMarkdown(row, { name: 'demo', version: '1.0.0', sha256: 'abcdef0123456789' });
  const table = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Class'));
  assert.deepEqual(table, ['| meningioma | 70.0% |', '| notumor | 20.0% |', '| glioma | 10.0% |']);
  assert.match(md, /sha256 abcdef012345…/);
  assert.deepEqual(JSON.parse(md.split('```json\n')[1]!.split('\n```')[0]!).result, row);
});

test('detailsMarkdown warns above the probabilities when the guard flagged the scan, and only then', () => {
  const model = { name: 'demo', version: '1.0.0' };
  const flagged = detailsMarkdown({ ...row, anomalyScore: 20.414, anomalyThreshold: 13.139, flag: 'input unlike the training data' }, model);
  const warning = '> ⚠️ **Out of distribution (anomaly score 20.41 ≥ threshold 13.14): this scan is unlike the data the model was trained on, so its probabilities should not be trusted.**';
  const lines = flagged.split('\n');
  assert.ok(lines.includes(warning), flagged);
  assert.ok(lines.indexOf(warning) < lines.indexOf('| Class | Probability |'), 'read before the probabilities');

  const passed = detailsMarkdown({ ...row, anomalyScore: 5.2, anomalyThreshold: 13.139 }, model);
  assert.doesNotMatch(passed, /Out of distribution|should not be trusted/);
  assert.ok(passed.split('\n').includes('Out-of-distribution check passed (anomaly score 5.20 < threshold 13.14).'), passed);

  const unguarded = detailsMarkdown(row, model);
  assert.doesNotMatch(unguarded, /Out.of.distribution|anomaly score/);
});

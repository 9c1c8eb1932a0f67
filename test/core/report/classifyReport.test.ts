import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detailsMarkdown, topLine } from '../../../src/core/report/detailsMarkdown';
import { reportStamp, summarise } from '../../../src/core/report/classifyReport';

const row = {
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
  assert.deepEqual(summarise([row, { file: 'b.png', error: 'b.png: bad' }], 3, true), { files: 2, classified: 1, failed: 1, skipped: 3, cancelled: true });
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

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { rowsFromCsv } from '../../../src/core/report/classifyCsv';
import { exportSelection } from '../../../src/host/results/exportSelection';
import { readResultFile } from '../../../src/host/results/resultFile';

const work = mkdtempSync(join(tmpdir(), 'scanlens-export-selection-'));
after(() => rmSync(work, { recursive: true, force: true }));

const labels = ['glioma', 'notumor'];
const rows = [
  { kind: 'image', file: 'scans/a.png', probabilities: [0.75, 0.25], top: { label: 'glioma', probability: 0.75 }, anomalyScore: 3, anomalyThreshold: 2, flag: 'out of distribution' },
  { kind: 'image', file: 'scans/b.png', probabilities: [0.1, 0.9], top: { label: 'notumor', probability: 0.9 }, anomalyScore: 1, anomalyThreshold: 2 },
  { kind: 'image', file: 'scans/broken.png', error: 'scans/broken.png: not a PNG' },
];

test('a selection is written beside the result as classify writes it: the CSV reads back as those rows (guard columns kept), the JSON holds them whole', async () => {
  const path = join(work, '2026-01-01T00-00-00-000Z.json');
  writeFileSync(path, JSON.stringify({ model: { name: 'demo', labels }, results: rows }));
  const result = await readResultFile(path);

  const csv = await exportSelection(result, [2, 0], 'csv');
  assert.deepEqual(csv, { path: join(work, '2026-01-01T00-00-00-000Z-selection-2.csv'), rows: 2 });
  const text = readFileSync(csv.path, 'utf8');
  assert.match(text.split('\n')[0]!, /^file,top_label,top_probability,p_glioma,p_notumor,error,anomaly_score,anomaly_threshold,flag,/);
  assert.deepEqual(
    rowsFromCsv(text, labels).map((r) => [r.file, 'error' in r ? r.error : r.top?.label]),
    [
      ['scans/broken.png', 'scans/broken.png: not a PNG'],
      ['scans/a.png', 'glioma'],
    ],
  );

  const json = await exportSelection(result, [1], 'json');
  assert.equal(json.path, join(work, '2026-01-01T00-00-00-000Z-selection-1.json'));
  const written = JSON.parse(readFileSync(json.path, 'utf8')) as { model: unknown; results: unknown[]; selectedFrom: string };
  assert.deepEqual(written.results, [rows[1]]);
  assert.deepEqual(written.model, { name: 'demo', labels });
  assert.equal(written.selectedFrom, '2026-01-01T00-00-00-000Z.json');

  await assert.rejects(exportSelection(result, [7], 'csv'), /row 7 is not in 2026-01-01T00-00-00-000Z\.json/);
});

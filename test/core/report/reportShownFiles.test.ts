import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyFiles } from '../../../src/core/classify/classify';
import type { ClassifyResult } from '../../../src/core/jobs/classifyJob';
import { getModel } from '../../../src/core/model/modelCache';
import { folderLabels } from '../../../src/core/report/html/labelledAudit';
import { summarise } from '../../../src/core/report/classifyReport';
import { htmlReportJob } from '../../../src/core/report/html/reportJob';
import { ROOT } from '../../helpers/paths';
import { reportAudit, reportRows } from '../../helpers/reportRows';

test('a report names its scans as it is told (the results view: as the result file does) while it reads them, and matches them to their labels, by their paths', async () => {
  const model = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const samples = join(ROOT, 'samples');
  const files = readdirSync(samples)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => join(samples, f));
  const rows: ClassifyResult[] = [];
  for await (const row of classifyFiles(model, files)) rows.push({ ...row, kind: 'image' });
  const shown = files.map((f) => `samples/${f.slice(samples.length + 1)}`);
  const labels = await folderLabels(samples, model.manifest.labels);
  let html = '';
  for await (const part of htmlReportJob(model, rows, summarise(rows, 0, false), { shownFiles: shown, labels })) html += part;
  assert.deepEqual(
    reportRows(html).map((r) => r['file']),
    shown,
  );
  assert.ok(!html.includes(samples), 'no absolute path in the report');
  assert.equal(reportAudit(html)?.evaluated, files.length, 'every scan matched to its label by the path it was read from');
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeFileAtomic } from '../../../src/core/io/atomicWrite';
import { classifyJob, type ClassifyResult } from '../../../src/core/jobs/classifyJob';
import { getModel, releaseModels } from '../../../src/core/model/modelCache';
import { summarise } from '../../../src/core/report/classifyReport';
import { htmlReportJob } from '../../../src/core/report/html/reportJob';
import { ROOT } from '../../helpers/paths';
import { reportRows } from '../../helpers/reportRows';

const work = mkdtempSync(join(tmpdir(), 'scanlens-report-job-'));
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

async function classified(): Promise<{ model: Awaited<ReturnType<typeof getModel>>; rows: ClassifyResult[] }> {
  const model = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const inputs = ['glioma-01.png', 'notumor-02.png', 'pituitary-03.png'].map((f) => ({ kind: 'image' as const, key: join(ROOT, 'samples', f), files: [join(ROOT, 'samples', f)] as [string] }));
  const rows: ClassifyResult[] = [];
  for await (const row of classifyJob(model, inputs)) rows.push(row);
  return { model, rows };
}

test('htmlReportJob written by writeFileAtomic: the whole page, one row per result, progress after each', async () => {
  const { model, rows } = await classified();
  const progress: string[] = [];
  const path = join(work, 'whole.html');
  await writeFileAtomic(path, htmlReportJob(model, rows, summarise(rows, 0, false), { onProgress: (done, total) => progress.push(`${done}/${total}`) }));
  const html = readFileSync(path, 'utf8');
  assert.match(html, /^<!DOCTYPE html>[\s\S]*<\/html>\n$/);
  assert.deepEqual(
    reportRows(html).map((r) => r['file']),
    rows.map((r) => r.file),
  );
  assert.deepEqual(progress, ['1/3', '2/3', '3/3']);
});

test('htmlReportJob cancelled: it stops with one line and the writer leaves neither the report nor its temporary file', async () => {
  const { model, rows } = await classified();
  const controller = new AbortController();
  const path = join(work, 'cancelled', 'report.html');
  const job = htmlReportJob(model, rows, summarise(rows, 0, false), { signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() });
  await assert.rejects(writeFileAtomic(path, job), /report cancelled at row 3 of 3; nothing written/);
  assert.deepEqual(readdirSync(join(work, 'cancelled')), []);
});

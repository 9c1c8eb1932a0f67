import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { classifyFiles, type ClassifyRow } from '../../../src/core/classify/classify';
import { releasePools } from '../../../src/core/classify/preparePool';
import { loadModel } from '../../../src/core/model/loadModel';
import { ROOT } from '../../helpers/paths';

const samples = readdirSync(join(ROOT, 'samples'))
  .filter((f) => f.endsWith('.png'))
  .sort();

/** 30 files in a known order: samples repeated, one truncated PNG and one missing path among them. */
function dataset(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-pipeline-'));
  const files: string[] = [];
  for (let i = 0; i < 28; i++) {
    const target = join(dir, `${String(i).padStart(3, '0')}-${samples[i % samples.length]}`);
    copyFileSync(join(ROOT, 'samples', samples[i % samples.length]!), target);
    files.push(target);
  }
  const corrupt = join(dir, 'corrupt.png');
  writeFileSync(corrupt, readFileSync(join(ROOT, 'samples', samples[0]!)).subarray(0, 80));
  files.splice(9, 0, corrupt);
  files.splice(20, 0, join(dir, 'missing.png'));
  return files;
}

async function collect(rows: AsyncIterable<ClassifyRow>): Promise<ClassifyRow[]> {
  const out: ClassifyRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

after(releasePools);

test('worker threads give the same rows, in input order, as decoding in this thread', async () => {
  const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const files = dataset();
  const inThread = await collect(classifyFiles(model, files, { batchSize: 4, workers: 0, prefetch: 0 }));
  const pooled = await collect(classifyFiles(model, files, { batchSize: 4, workers: 2, prefetch: 3 }));
  assert.deepEqual(
    pooled.map((r) => r.file),
    files,
  );
  assert.deepEqual(
    inThread.map((r) => r.file),
    files,
  );
  for (const [i, row] of pooled.entries()) {
    const reference = inThread[i]!;
    // libvips' error text is per process, not per decode, so concurrent decodes may word the detail differently.
    const reason = (error: string | undefined): string | undefined => error?.replace(/\s*\(.*$/, '');
    assert.equal(reason(row.error), reason(reference.error));
    if (row.error) continue;
    assert.equal(row.top!.label, reference.top!.label);
    row.probabilities!.forEach((p, k) => assert.ok(Math.abs(p - reference.probabilities![k]!) < 1e-6, `${row.file} class ${k}`));
  }
  const errors = pooled.filter((r) => r.error !== undefined);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!.error!, /corrupt\.png: /);
  assert.match(errors[1]!.error!, /missing\.png: no such file/);
  await model.session.release();
});

test('cancelling between batches keeps the rows already yielded and stops the rest', async () => {
  const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const files = dataset();
  const controller = new AbortController();
  const rows: ClassifyRow[] = [];
  for await (const row of classifyFiles(model, files, { batchSize: 5, workers: 1, signal: controller.signal })) {
    rows.push(row);
    if (rows.length === 7) controller.abort();
  }
  assert.equal(rows.length, 10, 'the batch in progress finishes, no further batch is reported');
  assert.deepEqual(
    rows.map((r) => r.file),
    files.slice(0, 10),
  );
  await model.session.release();
});

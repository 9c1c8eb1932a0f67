import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { ExplainCancelled } from '../../../src/core/explain/perturbations';
import { explainJob } from '../../../src/core/jobs/explainJob';
import { loadModel, type LoadedModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-gradient-free-progress-'));
after(releaseExplainSessions);

async function mobilenet(): Promise<{ model: LoadedModel; input: Float32Array }> {
  const model = await loadModel(fixture('explain', 'mobilenetv3.onnx'), { threads: 1 });
  const { data } = await prepareInput(await loadScan(fixture('explain', 'input.png')), model.manifest);
  return { model, input: data };
}

for (const method of ['scorecam', 'ablationcam', 'occlusion'] as const) {
  test(`${method}: progress arrives per batch, rises, keeps one total and ends at it`, async () => {
    const { model, input } = await mobilenet();
    const calls: [number, number][] = [];
    await explainInput(model, input, { method, classIndex: 1, cacheDir, onProgress: (done, total) => calls.push([done, total]) });
    assert.ok(calls.length > 1, `only ${calls.length} report(s)`);
    const total = calls[0]![1];
    assert.ok(calls.every(([, t]) => t === total));
    calls.forEach(([done], i) => assert.ok(done > (i === 0 ? 0 : calls[i - 1]![0])));
    assert.equal(calls.at(-1)![0], total);
    await model.session.release();
  });

  test(`${method}: a signal aborted mid-run stops it between batches with ExplainCancelled`, async () => {
    const { model, input } = await mobilenet();
    const controller = new AbortController();
    const calls: number[] = [];
    const run = explainInput(model, input, {
      method,
      classIndex: 1,
      cacheDir,
      signal: controller.signal,
      onProgress: (done) => {
        calls.push(done);
        controller.abort();
      },
    });
    await assert.rejects(run, (error: unknown) => error instanceof ExplainCancelled && error.message === 'cancelled');
    assert.equal(calls.length, 1, 'no batch runs after the abort');
    await model.session.release();
  });
}

test('explainJob with an already aborted signal runs nothing and rejects with "cancelled"', async () => {
  const model = await loadModel(fixture('explain', 'resnet.onnx'), { threads: 1 });
  const controller = new AbortController();
  controller.abort();
  let reports = 0;
  await assert.rejects(explainJob(model, fixture('explain', 'input.png'), { method: 'scorecam', cacheDir, signal: controller.signal, onProgress: () => reports++ }), /^Error: cancelled$|cancelled/);
  assert.equal(reports, 0);
  await model.session.release();
});

test('a model whose export fixes batch 1 (NHWC) runs one copy per run, still reporting each', async () => {
  const model = await loadModel(fixture('models', 'tiny-fixed-nhwc.onnx'), { threads: 1 });
  assert.equal(model.batchable, false);
  const input = Float32Array.from({ length: 8 * 8 * 3 }, (_, i) => ((i * 37) % 11) / 10);
  for (const method of ['scorecam', 'ablationcam', 'occlusion'] as const) {
    const calls: [number, number][] = [];
    const result = await explainInput(model, input, { method, cacheDir, onProgress: (done, total) => calls.push([done, total]) });
    const total = calls[0]![1];
    assert.deepEqual(
      calls,
      Array.from({ length: total }, (_, i) => [i + 1, total]),
      method,
    );
    assert.ok(result.map.data.every(Number.isFinite), method);
  }
  await model.session.release();
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { formatProblem, parseCell } from '../../src/notebook/parser/parseCell';
import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { fixture } from '../helpers/paths';

test('explain takes smooth=eigen|aug|both, nothing else', () => {
  const good = parseCell('explain a.png smooth=both\nexplain a.png smooth=eigen\nexplain a.png smooth=aug');
  assert.ok(good.ok);
  assert.deepEqual(
    good.commands.map((c) => (c.options as Record<string, unknown>)['smooth']),
    ['both', 'eigen', 'aug'],
  );
  const bad = parseCell('explain a.png smooth=blur');
  assert.ok(!bad.ok);
  assert.match(formatProblem(bad.problems[0]!), /^line 1: .* — option 'smooth': expected one of eigen, aug, both/);
});

test('an explain cell with smooth=both gives pytorch-grad-cam eigen_smooth + aug_smooth (PyTorch reference)', async () => {
  const { cases } = JSON.parse(readFileSync(fixture('explain', 'cam-methods.json'), 'utf8')) as {
    cases: { model: string; layer: string; class: number; method: string; eigenSmooth: boolean; augSmooth: boolean; u16?: string }[];
  };
  const c = cases.find((x) => x.model === 'resnet' && x.method === 'gradcam' && x.eigenSmooth && x.augSmooth)!;
  const bytes = Buffer.from(c.u16!, 'base64');
  const theirs = Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16LE(2 * i) / 65535);
  const session = new NotebookSession({ baseDir: fixture('explain'), defaultModelPath: fixture('explain', 'resnet.onnx'), threads: 1 });
  const run = await executeCell(session, `explain input.png method=gradcam class=${c.class} layer="${c.layer}" smooth=both`);
  const output = run.outputs[0]!;
  assert.equal(output.kind, 'display', output.kind === 'error' ? output.message : '');
  const result = NotebookResultSchema.parse(output.kind === 'display' ? output.data[SCANLENS_RESULT_MIME] : undefined);
  assert.ok(result.kind === 'explain');
  assert.deepEqual([result.map.width, result.map.height], [64, 64]);
  const norm = (v: number[]): number[] => {
    const lo = Math.min(...v);
    const range = Math.max(...v) - lo;
    return v.map((x) => (x - lo) / range);
  };
  const a = norm(result.map.data);
  const b = norm(theirs);
  assert.ok(Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) <= 1e-3);
});

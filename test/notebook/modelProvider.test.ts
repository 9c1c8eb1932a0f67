import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXECUTION_PROVIDERS, availableProviders } from '../../src/core/model/executionProviders';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { completionData } from '../../src/notebook/parser/completions';
import { formatProblem, parseCell } from '../../src/notebook/parser/parseCell';
import { ROOT } from '../helpers/paths';

const SAMPLES = join(ROOT, 'samples');
const MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
// No runtime has every provider (dml is Windows-only, coreml macOS-only).
const missing = EXECUTION_PROVIDERS.find((name) => !availableProviders().some((b) => b.name === name))!;

function errorOf(run: Awaited<ReturnType<typeof executeCell>>): string {
  const last = run.outputs.at(-1)!;
  assert.equal(last.kind, 'error');
  return last.kind === 'error' ? last.message : '';
}

test('a model line takes provider= next to threads=, from the names onnxruntime-node can list', () => {
  const parsed = parseCell('model m.json threads=2 provider=cuda');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.commands[0]!.options, { threads: 2, provider: 'cuda' });
  const wrong = parseCell('model m.json provider=gpu');
  assert.ok(!wrong.ok);
  assert.equal(formatProblem(wrong.problems[0]!), `line 1: model m.json provider=gpu — option 'provider': expected one of ${EXECUTION_PROVIDERS.join(', ')}`);
  const model = completionData().commands.find((c) => c.name === 'model')!;
  assert.deepEqual(model.options.find((o) => o.name === 'provider')!.values, [...EXECUTION_PROVIDERS]);
});

test('a provider the runtime lacks fails its model line with the runtime list; the notebook goes on with the previous model', async () => {
  const session = new NotebookSession({ baseDir: SAMPLES, readOnlyRoots: [join(ROOT, 'models')], defaultModelPath: MODEL, threads: 1 });
  const failed = await executeCell(session, `model ${MODEL} provider=${missing}`);
  assert.ok(!failed.ok);
  assert.match(errorOf(failed), new RegExp(`^line 1: .* — execution provider '${missing}' is not in this onnxruntime; it has: cpu`));
  const next = await executeCell(session, 'classify glioma-01.png');
  assert.ok(next.ok, next.ok ? '' : errorOf(next));
});

test("a session's provider (the extension's setting, or scanlens run --provider) applies to every line until a model line changes it", async () => {
  const session = new NotebookSession({ baseDir: SAMPLES, readOnlyRoots: [join(ROOT, 'models')], defaultModelPath: MODEL, provider: missing });
  const refused = await executeCell(session, 'classify glioma-01.png');
  assert.match(errorOf(refused), new RegExp(`execution provider '${missing}' is not in this onnxruntime`));
  const switched = await executeCell(session, `model ${MODEL} provider=cpu threads=2\nclassify glioma-01.png`);
  assert.ok(switched.ok, switched.ok ? '' : errorOf(switched));
});

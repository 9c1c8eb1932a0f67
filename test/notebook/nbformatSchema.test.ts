import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv-draft-04';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { readNotebook } from '../../src/notebook/ipynb/readNotebook';
import { runNotebook } from '../../src/notebook/ipynb/runNotebook';
import { serializeNotebook } from '../../src/notebook/ipynb/writeNotebook';
import { NotebookResultSchema, ProvenanceSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT, fixture } from '../helpers/paths';

const SAMPLE = join(ROOT, 'samples', 'analysis.ipynb');

async function validator(): Promise<(doc: unknown) => string[]> {
  const schema = JSON.parse(await readFile(fixture('nbformat', 'nbformat.v4.5.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

/** Every display output: our payload and provenance pass the protocol schemas; text/plain comes last. */
function checkOutputs(doc: { cells: { cell_type: string; outputs?: { output_type: string; data?: Record<string, unknown>; metadata?: Record<string, unknown> }[] }[] }): number {
  let payloads = 0;
  for (const cell of doc.cells) {
    for (const output of cell.outputs ?? []) {
      if (output.output_type !== 'display_data') continue;
      assert.equal(Object.keys(output.data!).at(-1), 'text/plain');
      ProvenanceSchema.parse(output.metadata!['scanlens']);
      if (SCANLENS_RESULT_MIME in output.data!) {
        NotebookResultSchema.parse(output.data![SCANLENS_RESULT_MIME]);
        payloads++;
      }
    }
  }
  return payloads;
}

test('a freshly run sample notebook validates against the nbformat 4.5 schema, payloads against ours', async () => {
  const validate = await validator();
  const notebook = await readNotebook(SAMPLE);
  const session = new NotebookSession({ baseDir: join(ROOT, 'samples'), readOnlyRoots: [join(ROOT, 'models')], defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'), threads: 1 });
  const run = await runNotebook(notebook, session);
  assert.ok(run.cells.every((c) => c.ok));
  const written = JSON.parse(serializeNotebook(run.notebook)) as Parameters<typeof checkOutputs>[0];
  assert.deepEqual(validate(written), []);
  assert.equal(checkOutputs(written), 6);
});

test('the committed sample notebook is valid, carries its outputs and stays under 1 MB', async () => {
  const validate = await validator();
  const doc = JSON.parse(await readFile(SAMPLE, 'utf8')) as Parameters<typeof checkOutputs>[0] & { metadata: Record<string, unknown> };
  assert.deepEqual(validate(doc), []);
  assert.equal(checkOutputs(doc), 6);
  assert.deepEqual(doc.metadata['kernelspec'], { name: 'scanlens', display_name: 'ScanLens', language: 'scanlens' });
  assert.ok((await stat(SAMPLE)).size < 1024 * 1024);
});

test('the validator is real: a cell without an id, or a bad output, is rejected', async () => {
  const validate = await validator();
  const doc = JSON.parse(await readFile(SAMPLE, 'utf8')) as { cells: Record<string, unknown>[] };
  delete doc.cells[0]!['id'];
  assert.notDeepEqual(validate(doc), []);
  const other = JSON.parse(await readFile(SAMPLE, 'utf8')) as { cells: { outputs?: Record<string, unknown>[] }[] };
  other.cells.find((c) => c.outputs && c.outputs.length > 0)!.outputs![0]!['output_type'] = 'picture';
  assert.notDeepEqual(validate(other), []);
});

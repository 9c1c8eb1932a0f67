import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outputData } from '../../../src/host/notebook/outputItems';
import { displayOutput } from '../../../src/notebook/outputs/notebookOutput';
import { SCANLENS_RESULT_MIME } from '../../../src/protocol/notebookResult';

const provenance = { scanlensVersion: '0.1.0', command: 'classify a.png', parameters: { top: 2 }, model: null };
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

test('every mime of an output becomes an item, in order; JSON as JSON text, images as their bytes', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  const output = displayOutput(
    { result: { kind: 'export', file: 'a.csv', format: 'csv', rows: 2 }, plotly: { data: [], layout: {} } as never, svg: '<svg/>', png, markdown: '| a |', text: 'two rows' },
    provenance,
  );
  const { items, metadata } = outputData(output);
  assert.deepEqual(
    items.map((i) => i.mime),
    [SCANLENS_RESULT_MIME, 'application/vnd.plotly.v1+json', 'image/svg+xml', 'image/png', 'text/markdown', 'text/plain'],
  );
  assert.deepEqual(JSON.parse(decode(items[0]!.data)), { kind: 'export', file: 'a.csv', format: 'csv', rows: 2 });
  assert.equal(decode(items[2]!.data), '<svg/>');
  assert.deepEqual([...items[3]!.data], [...png]);
  assert.equal(decode(items[5]!.data), 'two rows');
  assert.deepEqual(metadata, { outputType: 'display_data', metadata: { scanlens: provenance } });
});

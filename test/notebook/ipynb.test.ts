import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareNotebooks } from '../../src/notebook/ipynb/compareOutputs';
import { parseNotebook, sourceText } from '../../src/notebook/ipynb/readNotebook';
import { KERNELSPEC, normaliseNotebook, serializeNotebook, toIpynbOutput, toLines } from '../../src/notebook/ipynb/writeNotebook';
import { ROOT } from '../helpers/paths';

const SAMPLE = join(ROOT, 'samples', 'analysis.ipynb');

test('reading a broken notebook names the file and the place', () => {
  assert.throws(() => parseNotebook('{', 'a.ipynb'), /^ScanLensError: a\.ipynb: not valid JSON/);
  assert.throws(() => parseNotebook('{"nbformat":3,"nbformat_minor":0,"metadata":{},"cells":[]}', 'old.ipynb'), /old\.ipynb: not an nbformat 4 notebook: nbformat: expected nbformat 4/);
  assert.throws(
    () => parseNotebook('{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"source":1,"outputs":[],"execution_count":null}]}', 'b.ipynb'),
    /b\.ipynb: not an nbformat 4 notebook: cells\[0\]\.source: /,
  );
});

test('text becomes lines that keep their newlines; errors keep their message', () => {
  assert.deepEqual(toLines('a\nb\n'), ['a\n', 'b\n']);
  assert.deepEqual(toLines('a\nb'), ['a\n', 'b']);
  assert.deepEqual(toIpynbOutput({ kind: 'error', name: 'ScanLensError', message: 'line 1: x — y' }), {
    output_type: 'error',
    ename: 'ScanLensError',
    evalue: 'line 1: x — y',
    traceback: ['line 1: x — y'],
  });
});

test('saving sets nbformat 4.5, the ScanLens kernelspec and unique cell ids, keeping good ids and other metadata', () => {
  const nb = parseNotebook(
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 2,
      metadata: { title: 'kept' },
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# hi' },
        { cell_type: 'code', id: 'keep-me', metadata: {}, source: 'info a.png', outputs: [], execution_count: null },
        { cell_type: 'code', id: 'keep-me', metadata: {}, source: 'info b.png', outputs: [], execution_count: null },
      ],
    }),
    'x.ipynb',
  );
  const saved = normaliseNotebook(nb);
  assert.equal(saved.nbformat_minor, 5);
  assert.deepEqual(saved.metadata['kernelspec'], KERNELSPEC);
  assert.equal(saved.metadata['title'], 'kept');
  const ids = saved.cells.map((c) => c.id!);
  assert.equal(ids[1], 'keep-me');
  assert.equal(new Set(ids).size, 3);
  for (const id of ids) assert.match(id, /^[a-zA-Z0-9-_]{1,64}$/);
  assert.deepEqual(parseNotebook(serializeNotebook(saved), 'y.ipynb'), saved);
});

test('compare: equal within tolerance passes; a changed number, a changed label and a new error are each listed', async () => {
  const saved = parseNotebook(await readFile(SAMPLE, 'utf8'), 'analysis.ipynb');
  assert.deepEqual(compareNotebooks(saved, saved, 0), []);
  const fresh = structuredClone(saved);
  const classify = fresh.cells.findIndex((c) => c.cell_type === 'code' && sourceText(c.source).startsWith('classify'));
  const cell = fresh.cells[classify]!;
  assert.equal(cell.cell_type, 'code');
  const payload = (cell.cell_type === 'code' ? cell.outputs[0]!['data'] : {}) as Record<string, { rows: { probabilities: number[]; top: { label: string } }[] }>;
  const result = payload['application/vnd.scanlens.result+json']!;
  result.rows[1]!.probabilities[0]! += 5e-5;
  assert.deepEqual(compareNotebooks(saved, fresh, 1e-4), []);
  result.rows[1]!.probabilities[0]! += 0.01;
  result.rows[2]!.top.label = 'pituitary';
  const explain = fresh.cells.findIndex((c) => c.cell_type === 'code' && sourceText(c.source).startsWith('explain'));
  const explainCell = fresh.cells[explain]!;
  if (explainCell.cell_type === 'code') explainCell.outputs = [{ output_type: 'error', ename: 'ScanLensError', evalue: 'line 1: boom' }];
  const differences = compareNotebooks(saved, fresh, 1e-4);
  assert.deepEqual(
    differences.map((d) => d.message.replace(/ \(off by .*\)$/, '').replace(/saved [\d.e-]+ → now [\d.e-]+/, 'number changed')),
    ['rows[1].probabilities[0]: number changed', 'rows[2].top.label: saved "glioma" → now "pituitary"', 'saved a result → now error "line 1: boom"'],
  );
  assert.match(differences[0]!.where, /^cell 4, result 1 \(classify \*\.png top=2\)$/);
});

test('compare refuses a saved payload that is not a valid ScanLens result', async () => {
  const saved = parseNotebook(await readFile(SAMPLE, 'utf8'), 'analysis.ipynb');
  const tampered = structuredClone(saved);
  const cell = tampered.cells.find((c) => c.cell_type === 'code' && sourceText(c.source).startsWith('evaluate'))!;
  if (cell.cell_type === 'code') (cell.outputs[0]!['data'] as Record<string, Record<string, unknown>>)['application/vnd.scanlens.result+json']!['accuracy'] = 'high';
  const differences = compareNotebooks(tampered, saved, 1e-4);
  assert.equal(differences.length, 1);
  assert.match(differences[0]!.message, /^saved output is not a valid ScanLens result \(accuracy: /);
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertSameRows, canonical, fromMixed, writeMixedFolder, type CanonicalRow } from '../helpers/mixedFolder';
import { runCli } from '../helpers/runCli';

/*
 * One engine for every surface: the same mixed folder through CLI text, JSON,
 * JSONL, CSV and `scanlens run` of a notebook gives the same rows with the
 * same numbers, the undecodable series alone failing. (The VS Code folder
 * report is compared in test/vscode/classify.suite.ts.)
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-agree-'));
after(() => rmSync(work, { recursive: true, force: true }));
let reference: CanonicalRow[];
let csvText: string;

before(async () => {
  await writeMixedFolder(join(work, 'mixed'));
  const json = runCli(['classify', 'mixed', '--json', '--csv', 'all.csv', '--jsonl', 'all.jsonl'], work);
  assert.equal(json.status, 2, json.stderr);
  reference = (JSON.parse(json.stdout).results as Record<string, unknown>[]).map(canonical);
  csvText = readFileSync(join(work, 'all.csv'), 'utf8');
});

const same = (rows: CanonicalRow[], tolerance: number, what: string): void => assertSameRows(rows, reference, tolerance, what, assert.deepEqual, assert.ok);

/** CSV records by RFC 4180 (the test's own reader, not the product's). */
function csvRecords(text: string): Record<string, string>[] {
  const records: string[][] = [[]];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      records.at(-1)!.push(field);
      field = '';
    } else if (c === '\n') {
      records.at(-1)!.push(field);
      records.push([]);
      field = '';
    } else field += c;
  }
  const [header, ...rows] = records.filter((r) => r.length > 1);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

test('the mixed folder: seven rows, each input once, only the corrupt file and the cut-short series failing', () => {
  assert.deepEqual(
    reference.map((r) => [r.file.replace(/ · [0-9a-f]{8}\]$/, ']'), r.kind, r.error]),
    [
      ['mixed/corrupt.png', 'image', true],
      ['mixed/glioma-01.png', 'image', false],
      ['mixed/notumor-02.png', 'image', false],
      ['mixed [MR series 1]', 'series', false],
      ['mixed [MR series 1]', 'series', true],
      ['mixed/multiframe.dcm', 'volume', false],
      ['mixed/volume.nii', 'volume', false],
    ],
  );
  const [good, bad] = reference.filter((r) => r.kind === 'series');
  assert.notEqual(good!.file, bad!.file, 'two series in one folder have two names');
  assert.equal(reference[1]!.top, 'glioma');
});

test('JSON Lines and CSV carry the same rows and numbers as JSON', () => {
  same(
    readFileSync(join(work, 'all.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => canonical(JSON.parse(l) as Record<string, unknown>)),
    0,
    'JSONL',
  );
  const fromCsv = csvRecords(csvText).map((r): CanonicalRow => {
    const error = r['error'] !== '';
    return {
      file: fromMixed(r['file']!),
      kind: r['kind']!,
      top: error ? null : r['top_label']!,
      probabilities: error
        ? null
        : Object.keys(r)
            .filter((k) => k.startsWith('p_'))
            .map((k) => Number(r[k])),
      error,
    };
  });
  same(fromCsv, 0, 'CSV');
});

test('the terminal text has the same rows, probabilities to its three decimals', () => {
  const text = runCli(['classify', 'mixed', '--top', '4'], work);
  assert.equal(text.status, 2);
  const labels = ['glioma', 'meningioma', 'notumor', 'pituitary'];
  const rows = text.stdout
    .trim()
    .split('\n')
    .map((line): CanonicalRow => {
      const [file, ...rest] = line.split('  ');
      if (rest[0] === 'ERROR') return { file: fromMixed(file!), kind: '?', top: null, probabilities: null, error: true };
      const pairs = [...line.matchAll(/(\w+) (\d\.\d{3})(?:@\d+)?/g)].map((m) => [m[1]!, Number(m[2])] as const);
      const probabilities = labels.map((l) => pairs.find(([name]) => name === l)![1]);
      return { file: fromMixed(file!), kind: '?', top: labels[probabilities.indexOf(Math.max(...probabilities))]!, probabilities, error: false };
    });
  same(
    rows.map((r, i) => ({ ...r, kind: reference[i]!.kind, top: r.error ? null : reference[i]!.top })),
    0.0005,
    'text',
  );
});

test('scanlens run of a notebook classifying the folder gives the same rows', () => {
  const notebook = join(work, 'agree.ipynb');
  writeFileSync(
    notebook,
    JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', id: 'c', metadata: {}, source: 'classify mixed', outputs: [], execution_count: null }] }),
  );
  const run = runCli(['run', notebook], work);
  assert.equal(run.status, 0, run.stderr);
  const cell = (JSON.parse(readFileSync(notebook, 'utf8')) as { cells: { outputs: { data?: Record<string, unknown> }[] }[] }).cells[0]!;
  const payload = cell.outputs[0]!.data!['application/vnd.scanlens.result+json'] as { rows: Record<string, unknown>[] };
  same(
    payload.rows.map(canonical).map((r, i) => ({ ...r, kind: r.error ? reference[i]!.kind : r.kind })),
    1e-6,
    'notebook',
  );
});

test('--resume after a stop loses and duplicates nothing: a .partial cut after a few rows (one cut mid-row) finishes to the same file', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    const full = readFileSync(join(work, `all.${format}`), 'utf8');
    const lines = full.split('\n');
    // What a killed run leaves: the rows written so far, the last one cut mid-write.
    const keep = format === 'csv' ? 4 : 3;
    const partial = lines.slice(0, keep).join('\n') + '\n' + lines[keep]!.slice(0, 25);
    const target = join(work, `resumed.${format}`);
    writeFileSync(`${target}.partial`, partial);
    const resumed = runCli(['classify', 'mixed', `--${format}`, target, '--resume', '--json'], work);
    assert.equal(resumed.status, 2, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).summary.resumed > 0, true);
    assert.equal(readFileSync(target, 'utf8'), full, `${format}: the resumed file differs from an uninterrupted run`);
  }
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ClassifyResult, ImageResult } from '../../src/core/jobs/classifyJob';
import { ResultFile, partialPath, previousRows } from '../../src/cli/resultFile';
import { keysInShard, parseShard } from '../../src/cli/shard';

const labels = ['glioma', 'notumor'];
const row = (file: string, p: number): ImageResult => ({
  kind: 'image',
  file,
  labels,
  probabilities: [p, 1 - p],
  top: { label: p >= 0.5 ? 'glioma' : 'notumor', probability: Math.max(p, 1 - p) },
});

test('CSV rows read back exactly, awkward file names included; error rows do not count as done', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-result-'));
  const path = join(dir, 'out.csv');
  const out = new ResultFile(path, 'csv', labels, { guarded: false, conformal: false });
  await out.open(false);
  const rows: ClassifyResult[] = [row('a, "quoted".png', 0.25), row('=HYPERLINK(1).png', 0.9), row('line\nbreak.png', 0.5), { kind: 'image', file: 'bad.png', error: 'bad.png: cannot decode' }];
  for (const r of rows) out.append(r);
  await out.close();
  const fromPartial = await previousRows(path, 'csv', labels);
  assert.deepEqual(
    [...fromPartial.keys()],
    rows.slice(0, 3).map((r) => r.file),
  );
  for (const r of rows.slice(0, 3)) assert.deepEqual((fromPartial.get(r.file) as ImageResult).probabilities, (r as ImageResult).probabilities);
  await out.finish(rows);
  assert.equal(existsSync(partialPath(path)), false);
  assert.equal(readFileSync(path, 'utf8').split('\n')[0], 'file,top_label,top_probability,p_glioma,p_notumor,error,kind,axis,slices,top_slice,peak_slices,check');
  assert.deepEqual(
    [...(await previousRows(path, 'csv', labels)).keys()],
    rows.slice(0, 3).map((r) => r.file),
  );
});

test('a guarded model: the streamed .partial CSV has the anomaly columns from its header on, as the final file does, and --resume reads the verdict back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-result-'));
  const path = join(dir, 'out.csv');
  const out = new ResultFile(path, 'csv', labels, { guarded: true, conformal: false });
  await out.open(false);
  // A first row the guard could not score (a note, no anomaly fields) must not decide the columns.
  const rows: ClassifyResult[] = [
    { ...row('unscored.png', 0.6), notes: ['anomaly score failed: unscored.png: cannot score'] },
    { ...row('odd.png', 0.75), anomalyScore: 20.5, anomalyThreshold: 13.1, flag: 'input unlike the training data' },
  ];
  for (const r of rows) out.append(r);
  await out.close();
  const partial = readFileSync(partialPath(path), 'utf8').split('\n');
  const resumed = await previousRows(path, 'csv', labels);
  await out.finish(rows);
  const final = readFileSync(path, 'utf8').split('\n');
  assert.equal(partial[0], 'file,top_label,top_probability,p_glioma,p_notumor,error,anomaly_score,anomaly_threshold,flag,kind,axis,slices,top_slice,peak_slices,check');
  assert.deepEqual(partial, final);
  assert.match(final[2]!, /^odd\.png,glioma,0\.75,0\.75,0\.25,,20\.5,13\.1,input unlike the training data,image,,,,,[0-9a-f]{8}$/);
  // A resumed run writes these rows again: the flagged one must stay flagged.
  const odd = resumed.get('odd.png') as ImageResult;
  assert.deepEqual([odd.anomalyScore, odd.anomalyThreshold, odd.flag], [20.5, 13.1, 'input unlike the training data']);
  assert.equal((resumed.get('unscored.png') as ImageResult).anomalyScore, undefined);
});

test('a JSONL partial cut off mid-line keeps its whole rows; without --resume a stale partial is started afresh', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-result-'));
  const path = join(dir, 'out.jsonl');
  writeFileSync(partialPath(path), JSON.stringify(row('one.png', 0.7)) + '\n' + JSON.stringify(row('two.png', 0.1)).slice(0, 20));
  assert.deepEqual([...(await previousRows(path, 'jsonl', labels)).keys()], ['one.png']);
  const resumed = new ResultFile(path, 'jsonl', labels, { guarded: false, conformal: false });
  await resumed.open(true);
  resumed.append(row('three.png', 0.3));
  await resumed.close();
  assert.deepEqual([...(await previousRows(path, 'jsonl', labels)).keys()], ['one.png', 'three.png']);
  const fresh = new ResultFile(path, 'jsonl', labels, { guarded: false, conformal: false });
  await fresh.open(false);
  await fresh.close();
  assert.equal(readFileSync(partialPath(path), 'utf8'), '');
});

test('shards: parsed strictly, disjoint, covering, and independent of input order', () => {
  assert.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
  for (const bad of ['5/5', '1/0', '-1/3', '1/3/4', 'a/b', '']) assert.throws(() => parseShard(bad), /--shard i\/n/);
  const keys = Array.from({ length: 23 }, (_, i) => `/data/scan-${i}.png`);
  const shards = [0, 1, 2, 3].map((index) => keysInShard(keys, { index, count: 4 }));
  assert.deepEqual(shards.flatMap((s) => [...s]).sort(), [...keys].sort());
  assert.equal(
    shards.reduce((n, s) => n + s.size, 0),
    keys.length,
  );
  assert.deepEqual(keysInShard([...keys].reverse(), { index: 1, count: 4 }), shards[1]);
});

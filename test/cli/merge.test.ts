import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { guardedDemoModel } from '../helpers/guardedModel';
import { writeMixedFolder } from '../helpers/mixedFolder';
import { ROOT } from '../helpers/paths';
import { runCli, type CliResult } from '../helpers/runCli';

/*
 * `scanlens merge` against one-machine runs: the shards of `classify --shard
 * i/4` merge into the bytes one `classify` of the whole set writes, in CSV and
 * JSON Lines, for the sample PNGs and for a folder of volumes, series and
 * failing inputs; and every shard that is not whole, or not of this
 * classification, is refused with one line naming it.
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-merge-'));
after(() => rmSync(work, { recursive: true, force: true }));

const SHARDS = [0, 1, 2, 3];
const pngs = join(work, 'pngs');
const mixed = join(work, 'mixed');
const shard = (set: string, i: number, ext: 'csv' | 'jsonl'): string => join(set, `shard-${i}.${ext}`);
const merge = (args: readonly string[], cwd = ROOT): CliResult => runCli(['merge', ...args], cwd);

/** Each shard as a Slurm array task writes it, and the one-machine run, in both formats. */
function classifyInShards(set: string, inputs: readonly string[], cwd: string): CliResult {
  mkdirSync(set, { recursive: true });
  for (const i of SHARDS) {
    const run = runCli(['classify', ...inputs, '--shard', `${i}/4`, '--csv', shard(set, i, 'csv'), '--jsonl', shard(set, i, 'jsonl')], cwd);
    assert.ok(run.status === 0 || run.status === 2, run.stderr);
  }
  return runCli(['classify', ...inputs, '--json', '--csv', join(set, 'one.csv'), '--jsonl', join(set, 'one.jsonl')], cwd);
}

let pngRun: CliResult;
let mixedRun: CliResult;

before(async () => {
  // The samples' PNGs named by a glob, as `samples/*.png`, from the repository.
  pngRun = classifyInShards(pngs, ['samples/*.png'], ROOT);
  assert.equal(pngRun.status, 0, pngRun.stderr);
  await writeMixedFolder(join(mixed, 'mixed'));
  mixedRun = classifyInShards(mixed, ['mixed'], mixed);
  assert.equal(mixedRun.status, 2, mixedRun.stderr);
});

/** A merge that must fail: exit 1, one line on stderr, matching `reason`, and no output file. */
function refused(args: readonly string[], reason: RegExp, cwd = ROOT): void {
  const out = join(work, `refused-${Math.random().toString(36).slice(2)}.csv`);
  const run = merge([...args, '--csv', out], cwd);
  assert.equal(run.status, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, reason);
  assert.equal(existsSync(out), false, 'nothing written');
}

/** A copy of a shard in its own folder, to be spoilt by a test. */
function copyOf(source: string, name = 'shard.csv'): string {
  const dir = mkdtempSync(join(work, 'case-'));
  copyFileSync(source, join(dir, name));
  return join(dir, name);
}

test('4 shards of samples/*.png merge into the exact bytes of a one-machine run, CSV and JSON Lines, whatever order they are given in', () => {
  const scrambled = [2, 0, 3, 1];
  const csv = merge([...scrambled.map((i) => shard(pngs, i, 'csv')), '--csv', join(pngs, 'merged.csv')]);
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(csv.stdout, /^merged 12 row\(s\) from 4 shard\(s\) into .*merged\.csv\n$/);
  assert.equal(readFileSync(join(pngs, 'merged.csv'), 'utf8'), readFileSync(join(pngs, 'one.csv'), 'utf8'));
  const jsonl = merge([...scrambled.map((i) => shard(pngs, i, 'jsonl')), '--jsonl', join(pngs, 'merged.jsonl'), '--json']);
  assert.equal(jsonl.status, 0, jsonl.stderr);
  assert.equal(readFileSync(join(pngs, 'merged.jsonl'), 'utf8'), readFileSync(join(pngs, 'one.jsonl'), 'utf8'));
  // --json: the rows classify --json gives, and how many came from each shard.
  const doc = JSON.parse(jsonl.stdout) as { results: unknown[]; summary: { files: number; failed: number; shards: { rows: number }[] } };
  assert.deepEqual(doc.results, (JSON.parse(pngRun.stdout) as { results: unknown[] }).results);
  assert.deepEqual([doc.summary.files, doc.summary.failed, doc.summary.shards.map((s) => s.rows)], [12, 0, [3, 3, 3, 3]]);
});

test('a folder of images, volumes, two series in one folder and failing inputs merges exactly too; error rows make exit code 2', () => {
  for (const ext of ['csv', 'jsonl'] as const) {
    const out = join(mixed, `merged.${ext}`);
    const run = merge([...SHARDS.map((i) => shard(mixed, i, ext)), `--${ext}`, out], mixed);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^scanlens: 2 row\(s\) carry an error: run their shards again with --resume/);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(mixed, `one.${ext}`), 'utf8'), ext);
  }
});

test('a shard cut off mid-row, or with a row that does not match its check, is refused naming it', () => {
  const whole = readFileSync(shard(pngs, 1, 'csv'), 'utf8');
  const cut = copyOf(shard(pngs, 1, 'csv'));
  // Cut inside the last number: `…,0.` would read as 0.
  writeFileSync(cut, whole.slice(0, whole.lastIndexOf('.') + 1));
  refused([shard(pngs, 0, 'csv'), cut], /^scanlens: .*shard\.csv: its last row is cut off/);
  // Cut right after a line break inside a row is not possible for classify, but a row cut at a comma and ended is: its check fails.
  const short = copyOf(shard(pngs, 1, 'csv'));
  const lines = whole.trimEnd().split('\n');
  writeFileSync(short, [...lines.slice(0, -1), lines.at(-1)!.slice(0, lines.at(-1)!.lastIndexOf(','))].join('\n') + '\n');
  refused([short], /shard\.csv: row 3 is incomplete or was changed \(its check does not match\)/);
  const changed = copyOf(shard(pngs, 1, 'csv'));
  // One digit of the first row's top probability changed: still a number, still a whole row.
  writeFileSync(
    changed,
    whole.replace(/^([^\n]*\n[^,]*,[^,]*,0\.)(\d)/, (_, head: string, digit: string) => `${head}${(Number(digit) + 1) % 10}`),
  );
  assert.notEqual(readFileSync(changed, 'utf8'), whole);
  refused([changed], /shard\.csv: row 1 is incomplete or was changed/);
  const jsonl = readFileSync(shard(pngs, 1, 'jsonl'), 'utf8');
  const cutJsonl = copyOf(shard(pngs, 1, 'jsonl'), 'shard.jsonl');
  writeFileSync(cutJsonl, jsonl.slice(0, -20));
  refused([cutJsonl], /shard\.jsonl: its last row is cut off/);
  const notRow = copyOf(shard(pngs, 1, 'jsonl'), 'shard.jsonl');
  writeFileSync(notRow, jsonl + '{"file":3}\n');
  refused([notRow], /shard\.jsonl: row 4 is not a scanlens classify row \(file: /);
});

test("a shard whose run has not finished (a .partial beside it, only a .partial, or a killed task's .partial beside the shards) is refused", () => {
  const both = copyOf(shard(pngs, 2, 'csv'));
  copyFileSync(both, `${both}.partial`);
  refused([shard(pngs, 0, 'csv'), both], /shard\.csv: a run of this shard has not finished \(.*shard\.csv\.partial is there\); run that shard again with --resume/);
  const only = copyOf(shard(pngs, 2, 'csv'));
  renameSync(only, `${only}.partial`);
  refused([only], /shard\.csv: not finished: only .*shard\.csv\.partial is there/);
  refused([`${only}.partial`], /shard\.csv\.partial: is the partial output of a classify run that has not finished/);
  // A killed task's shard-K.csv.partial is not matched by a glob like shard-*.csv: it lies beside the shards, and stops the merge.
  const killed = mkdtempSync(join(work, 'killed-'));
  for (const i of [0, 2, 3]) copyFileSync(shard(pngs, i, 'csv'), join(killed, `shard-${i}.csv`));
  copyFileSync(shard(pngs, 1, 'csv'), join(killed, 'shard-1.csv.partial'));
  refused(
    [0, 2, 3].map((i) => join(killed, `shard-${i}.csv`)),
    /killed-\w+\/shard-1\.csv\.partial: the run writing this shard beside the ones being merged has not finished: run it again with --resume/,
  );
  refused([join(work, 'no-such-shard.csv')], /no-such-shard\.csv: shard not found/);
});

test('the same input in two shards, or one shard given twice, is refused', () => {
  const again = copyOf(shard(pngs, 3, 'csv'));
  refused([shard(pngs, 3, 'csv'), again], /shard\.csv: input 'samples\/.*\.png' is in it and in .*shard-3\.csv: shards of one classification never share an input/);
  refused([shard(pngs, 3, 'csv'), shard(pngs, 0, 'csv'), shard(pngs, 3, 'csv')], /shard-3\.csv: is given twice/);
});

test('shards made with another model or other options, and mixed formats, are refused', () => {
  const models = mkdtempSync(join(work, 'model-'));
  const guarded = guardedDemoModel(models);
  const other = join(work, 'guarded');
  mkdirSync(other);
  const run = runCli(['classify', 'samples/*.png', '--shard', '1/4', '--model', guarded, '--csv', join(other, 'shard-1.csv'), '--jsonl', join(other, 'shard-1.jsonl')], ROOT);
  assert.equal(run.status, 0, run.stderr);
  refused([shard(pngs, 0, 'csv'), join(other, 'shard-1.csv')], /guarded\/shard-1\.csv: was written with another model than .*shard-0\.csv: its columns differ/);
  refused([shard(pngs, 0, 'jsonl'), join(other, 'shard-1.jsonl')], /guarded\/shard-1\.jsonl: was written with another model than .*shard-0\.jsonl: anomaly guard present for '/);
  // The same model with --top 2: JSON Lines rows record how many classes they rank.
  const top = runCli(['classify', 'samples/*.png', '--shard', '1/4', '--top', '2', '--jsonl', join(other, 'top.jsonl')], ROOT);
  assert.equal(top.status, 0, top.stderr);
  refused([shard(pngs, 0, 'jsonl'), join(other, 'top.jsonl')], /top\.jsonl: was written with other options than .*shard-0\.jsonl: --top 2 for '.*', not 3/);
  // Another axis for the volumes.
  const axis = runCli(['classify', 'mixed', '--shard', '0/4', '--axis', 'coronal', '--jsonl', join(other, 'coronal.jsonl')], mixed);
  assert.ok(axis.status === 0 || axis.status === 2, axis.stderr);
  refused(
    [...[1, 2, 3].map((i) => shard(mixed, i, 'jsonl')), join(other, 'coronal.jsonl')],
    /coronal\.jsonl: was written with other options than .*shard-\d\.jsonl: axis coronal for '.*', not axial/,
    mixed,
  );
  refused([shard(pngs, 0, 'csv'), shard(pngs, 1, 'jsonl')], /shard-1\.jsonl: is JSON Lines, and .*shard-0\.csv is CSV: merge shards of one format/);
  // A CSV from before rows carried their check cannot be told whole.
  const old = copyOf(shard(pngs, 0, 'csv'));
  writeFileSync(
    old,
    readFileSync(shard(pngs, 0, 'csv'), 'utf8')
      .split('\n')
      .map((line) => line.slice(0, line.lastIndexOf(',')))
      .join('\n'),
  );
  refused([old], /shard\.csv: has no 'check' column \(written by an older ScanLens\)/);
});

test("usage: an output is needed, in the shards' format, and never over a shard", () => {
  const none = merge([shard(pngs, 0, 'csv')]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /^scanlens: merge needs --csv FILE, --jsonl FILE or --json/);
  refused([shard(pngs, 0, 'jsonl')], /^scanlens: --csv needs CSV shards, and .*shard-0\.jsonl is not: use --jsonl\n$/);
  const self = copyOf(shard(pngs, 0, 'csv'));
  const before = readFileSync(self, 'utf8');
  const over = merge([self, '--csv', self]);
  assert.equal(over.status, 1);
  assert.match(over.stderr, /shard\.csv: is one of the shards being merged: write the merged file elsewhere/);
  assert.equal(readFileSync(self, 'utf8'), before);
});

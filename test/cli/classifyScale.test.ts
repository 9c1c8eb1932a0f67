import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

interface Row {
  file: string;
  probabilities?: number[];
  error?: string;
}
interface ClassifyJson {
  results: Row[];
  summary: { files: number; classified: number; failed: number; resumed: number; shard?: string };
}

const samplePngs = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.png'));
const sampleCount = samplePngs.length;
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'scanlens-scale-'));

/** The sample PNGs copied into a fresh folder (samples/ itself gains files as the project grows). */
function scans(): string {
  const dir = join(tempDir(), 'scans');
  mkdirSync(dir);
  for (const name of samplePngs) copyFileSync(join(ROOT, 'samples', name), join(dir, name));
  return dir;
}
const classifyJson = (args: string[]): { status: number | null; doc: ClassifyJson; stderr: string } => {
  const { status, stdout, stderr } = runCli(['classify', ...args, '--json']);
  return { status, doc: JSON.parse(stdout) as ClassifyJson, stderr };
};

test('--shard i/n: the shards are disjoint and together cover every input exactly once', () => {
  const input = scans();
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { status, doc, stderr } = classifyJson([input, '--shard', `${i}/3`]);
    assert.equal(status, 0, stderr);
    assert.equal(doc.summary.shard, `${i}/3`);
    assert.ok(doc.results.length >= Math.floor(sampleCount / 3) && doc.results.length <= Math.ceil(sampleCount / 3));
    seen.push(...doc.results.map((r) => r.file));
  }
  assert.equal(seen.length, sampleCount);
  assert.equal(new Set(seen).size, sampleCount);
  const bad = runCli(['classify', 'samples/', '--shard', '3/3']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--shard i\/n/);
});

test('--resume continues a stopped run from its .partial file and the final file is complete and atomic', () => {
  const dir = tempDir();
  const input = scans();
  const jsonl = join(dir, 'results.jsonl');
  const full = classifyJson([input, '--jsonl', jsonl]);
  assert.equal(full.status, 0, full.stderr);
  assert.equal(existsSync(`${jsonl}.partial`), false, 'the partial file is gone once the final one is written');
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
  assert.equal(lines.length, sampleCount);
  // A run killed after five rows, the sixth cut off mid-write.
  writeFileSync(`${jsonl}.partial`, lines.slice(0, 5).join('\n') + '\n' + lines[5]!.slice(0, 40));
  writeFileSync(jsonl, '');
  const resumed = classifyJson([input, '--jsonl', jsonl, '--resume']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(resumed.doc.summary.resumed, 5);
  assert.match(resumed.stderr, /resuming: 5 input/);
  assert.deepEqual(
    resumed.doc.results.map((r) => r.file),
    full.doc.results.map((r) => r.file),
  );
  const after = readFileSync(jsonl, 'utf8').trim().split('\n');
  assert.equal(after.length, sampleCount);
  assert.deepEqual(after.slice(0, 5), lines.slice(0, 5), 'resumed rows are kept as they were');
  resumed.doc.results.forEach((row, i) => {
    row.probabilities!.forEach((p, k) => assert.ok(Math.abs(p - full.doc.results[i]!.probabilities![k]!) < 1e-9));
  });
  assert.equal(existsSync(`${jsonl}.partial`), false);
});

test('--resume from a CSV skips done files, retries error rows, and keeps rows of inputs not given this time', () => {
  const dir = tempDir();
  const input = scans();
  const csv = join(dir, 'results.csv');
  assert.equal(runCli(['classify', input, '--csv', csv]).status, 0);
  const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
  const failedFirst = rows[0]!.split(',')[0] + ',,,,,,,earlier failure';
  // A row of an earlier run for an input not given now, with its check (a row without one is not trusted).
  const oldCells = ['/elsewhere/old.png', 'glioma', '1', '1', '0', '0', '0', '', 'image', '', '', '', ''];
  const oldRow = [...oldCells, createHash('sha256').update(JSON.stringify(oldCells)).digest('hex').slice(0, 8)].join(',');
  writeFileSync(csv, [header, failedFirst, ...rows.slice(1), oldRow].join('\n') + '\n');
  const { status, doc, stderr } = classifyJson([input, '--csv', csv, '--resume']);
  assert.equal(status, 0, stderr);
  assert.equal(doc.summary.resumed, sampleCount - 1);
  assert.equal(doc.summary.failed, 0);
  const written = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(written.length, sampleCount + 2);
  assert.ok(written.includes(oldRow), written.join('\n'));
  assert.ok(!written.some((l) => l.includes('earlier failure')));
});

test('decode worker threads (the bundled dist/prepareWorker.js) give the same rows as the main thread', () => {
  const input = scans();
  const pooled = classifyJson([input, '--workers', '2', '--batch-size', '3']);
  const inline = classifyJson([input, '--workers', '0']);
  assert.equal(pooled.status, 0, pooled.stderr);
  assert.deepEqual(
    pooled.doc.results.map((r) => r.file),
    inline.doc.results.map((r) => r.file),
  );
  pooled.doc.results.forEach((row, i) => {
    row.probabilities!.forEach((p, k) => assert.ok(Math.abs(p - inline.doc.results[i]!.probabilities![k]!) < 1e-6));
  });
});

test('--provider: an unknown provider is a one-line usage error listing the available ones; --resume needs an output', () => {
  const unknown = runCli(['classify', 'samples/', '--provider', 'nosuch']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /execution provider 'nosuch' is not in this onnxruntime; it has: cpu/);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  const resume = runCli(['classify', 'samples/', '--resume']);
  assert.equal(resume.status, 1);
  assert.match(resume.stderr, /--resume needs --csv or --jsonl/);
});

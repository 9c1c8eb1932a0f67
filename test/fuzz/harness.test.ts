import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fuzzTarget, replayInput } from './harness';
import { inputSeed, mutate } from './mutate';

// The harness must catch each kind of failure, or the bounded fuzz could pass by not looking.

const once = (failuresDir: string, rssCapMb = 768) => ({ seed: 1, budgetMs: 30_000, maxIterations: 1, hangMs: 2000, rssCapMb, failuresDir });

for (const [target, kind, reason] of [
  ['selftest-hang', 'hang', /no result after 2000 ms/],
  ['selftest-crash', 'crash', /SIGSEGV/],
  ['selftest-stray-error', 'error', /TypeError does not name the file/],
  ['selftest-phi', 'error', /shows patient data \('PAT-12345'\)/],
] as const) {
  test(`the harness records a ${kind} with its input (${target})`, { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scanlens-fuzz-selftest-'));
    const result = await fuzzTarget(target, once(dir));
    assert.equal(result.failures.length, 1, JSON.stringify(result.failures));
    const failure = result.failures[0]!;
    assert.equal(failure.kind, kind);
    assert.match(failure.reason, reason);
    assert.equal(failure.iteration, 0);
    // The saved input is the mutated seed of iteration 0, so the failure can be replayed.
    const seed = readFileSync(join(__dirname, '..', 'fixtures', 'fuzz-seeds', 'cells', 'quoting.txt'));
    assert.deepEqual(new Uint8Array(readFileSync(failure.input)), new Uint8Array(mutate(seed, inputSeed(1, target, 0), true)));
    assert.equal(JSON.parse(readFileSync(failure.input.replace(/\.bin$/, '.json'), 'utf8')).target, target);
  });
}

test('the harness stops a child whose memory grows past the cap', { timeout: 90_000 }, async () => {
  const result = await fuzzTarget('selftest-memory', once(mkdtempSync(join(tmpdir(), 'scanlens-fuzz-selftest-')), 128));
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0]!.kind, 'memory');
  assert.match(result.failures[0]!.reason, /over the 128 MB cap/);
});

test('a saved input replays to the same verdict', { timeout: 90_000 }, async () => {
  const result = await fuzzTarget('selftest-phi', once(mkdtempSync(join(tmpdir(), 'scanlens-fuzz-selftest-'))));
  const replay = await replayInput('selftest-phi', result.failures[0]!.input, 2000);
  assert.equal(replay.ok, false);
  assert.match(replay.report, /still fails: error message shows patient data/);
  const fine = await replayInput('cell', result.failures[0]!.input, 2000);
  assert.equal(fine.ok, true, fine.report);
});

test('inputs are reproducible and never change the seed', () => {
  const seed = Buffer.from('model m.onnx\nclassify *.png top=2\n');
  const copy = Buffer.from(seed);
  const first = Array.from({ length: 200 }, (_, i) => mutate(seed, inputSeed(5, 'cell', i), true));
  assert.deepEqual(seed, copy);
  const again = Array.from({ length: 200 }, (_, i) => mutate(seed, inputSeed(5, 'cell', i), true));
  assert.deepEqual(again, first);
  assert.ok(new Set(first.map((b) => Buffer.from(b).toString('hex'))).size > 150, 'inputs differ from each other');
});

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { containmentCases } from './containment';
import { declaredSizeCases } from './declaredSizes';
import { dicomStructureCases } from './dicomStructure';
import { forgedTextCases } from './forgedText';
import { geometryCases } from './geometry';
import { nonFiniteCases } from './nonFinite';
import { outputFileCases } from './outputFiles';
import { privacyCases } from './privacy';
import { specialFileCases } from './specialFiles';
import { addGoodSample, assertContained, assertExpected, jsonRows, MAX_RSS_MB, MAX_SECONDS, runHostile, work, type CliRun, type HostileCase } from './hostileCase';

/*
 * Issue 20, "Untrusted input stays contained": no input of the hostile sets
 * makes the CLI exceed 1.5 GB of RSS or run longer than 10 s, and each is met
 * with the error (or output) a user would expect. Every case builds its input
 * in a temporary folder and runs the built CLI (npm run build) on it; the
 * table of exit status, seconds and peak RSS, and the worst cases, are
 * printed at the end. Run with `node scripts/run-unit-tests.mjs test/hostile`.
 */

/** Every family's cases; a new family is one more file in this folder and one more entry here. */
const CASES: readonly HostileCase[] = [
  ...declaredSizeCases,
  ...dicomStructureCases,
  ...specialFileCases,
  ...outputFileCases,
  ...nonFiniteCases,
  ...geometryCases,
  ...forgedTextCases,
  ...containmentCases,
  ...privacyCases,
];

/** Cases run two at a time (2 shared cores; the CLI starts in about half a second). */
const CONCURRENCY = 2;

interface Measured {
  readonly name: string;
  readonly run: CliRun;
}

function table(measured: readonly Measured[]): string[] {
  const width = Math.max(4, ...measured.map((m) => m.name.length));
  const row = (name: string, exit: string, seconds: string, rss: string): string => `${name.padEnd(width)}  ${exit.padStart(4)}  ${seconds.padStart(7)}  ${rss.padStart(11)}`;
  const lines = [row('case', 'exit', 'seconds', 'peak RSS MB')];
  for (const { name, run } of measured)
    lines.push(row(name, run.status === null ? `${run.signal}` : String(run.status), run.seconds.toFixed(2), run.peakRssMb === undefined ? '?' : run.peakRssMb.toFixed(0)));
  const byRss = [...measured].sort((a, b) => (b.run.peakRssMb ?? Infinity) - (a.run.peakRssMb ?? Infinity))[0];
  const byTime = [...measured].sort((a, b) => b.run.seconds - a.run.seconds)[0];
  if (byRss) lines.push(`worst by peak RSS: ${byRss.name}: ${byRss.run.peakRssMb?.toFixed(0) ?? '?'} MB (limit ${MAX_RSS_MB} MB)`);
  if (byTime) lines.push(`worst by time: ${byTime.name}: ${byTime.run.seconds.toFixed(2)} s (limit ${MAX_SECONDS} s)`);
  return lines;
}

test('the peak-RSS preload counts memory touched in a worker thread', async () => {
  const dir = work();
  try {
    const touch = "const b = Buffer.alloc(300 * 2 ** 20, 1); require('node:worker_threads').parentPort.postMessage(b[12345]);";
    const run = await runHostile({ args: [], node: ['-e', `new (require('node:worker_threads').Worker)(${JSON.stringify(touch)}, { eval: true }).on('message', () => process.exit(3))`] }, dir);
    assert.equal(run.status, 3, run.stderr);
    assert.ok(run.peakRssMb !== undefined && run.peakRssMb > 300, `peak RSS ${run.peakRssMb} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile inputs: each met with a one-line error or the expected output, within 10 s and 1.5 GB', { concurrency: CONCURRENCY }, async (t) => {
  const measured: Measured[] = [];
  // The control: the good sample classified alone, the row every batch case must leave unchanged.
  const controlDir = work();
  const control = await runHostile({ args: ['classify', addGoodSample(controlDir), '--json'] }, controlDir);
  rmSync(controlDir, { recursive: true, force: true });
  measured.push({ name: '(control) classify good.png --json', run: control });
  const baseline = control.status === 0 ? jsonRows(control.stdout)[0] : undefined;

  await Promise.all(
    CASES.map((c) =>
      t.test(c.name, { todo: c.todo }, async (st) => {
        const dir = work();
        try {
          const run = await c.build(dir);
          if (run.skip) return st.skip(run.skip);
          const result = await runHostile(run, dir);
          if (run.wrapUnavailable && result.status === run.wrapUnavailable.status) return st.skip(`${run.wrapUnavailable.reason}: ${result.stderr.trim()}`);
          measured.push({ name: c.name, run: result });
          assertContained(result);
          assertExpected(c.expect, result, dir, baseline);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    ),
  );
  const order = new Map(CASES.map((c, i) => [c.name, i]));
  measured.sort((a, b) => (order.get(a.name) ?? -1) - (order.get(b.name) ?? -1));
  for (const line of table(measured)) t.diagnostic(line);
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseExplainSessions } from '../../src/core/explain/explainSessions';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { formatProblem, parseCell } from '../../src/notebook/parser/parseCell';
import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache (the CLI child inherits it).
process.env['SCANLENS_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'scanlens-nb-scorecard-'));
after(releaseExplainSessions);

const MASK = join('test', 'fixtures', 'scorecard', 'glioma-01-mask.png');

test('explain takes score=true|false, mask=<file> and seed=<n>', () => {
  const good = parseCell(`explain a.png score=true seed=7\nexplain a.png mask=${MASK}`);
  assert.ok(good.ok);
  assert.equal((good.commands[0]!.options as Record<string, unknown>)['seed'], 7);
  const bad = parseCell('explain a.png score=yes');
  assert.ok(!bad.ok);
  assert.match(formatProblem(bad.problems[0]!), /option 'score': expected one of true, false/);
});

test('the same scan through scanlens explain --score --json and an explain cell with mask= gives the same scorecard', async () => {
  const cli = runCli(['explain', 'samples/glioma-01.png', '--threads', '1', '--mask', MASK, '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = JSON.parse(cli.stdout) as { scorecard: Record<string, unknown>; maskFile: string };
  assert.match(cli.stderr, /scorecard: 156\/156/);

  const session = new NotebookSession({ baseDir: ROOT, defaultModelPath: join(ROOT, 'models', 'brain-mri-demo'), threads: 1 });
  const run = await executeCell(session, `explain samples/glioma-01.png mask=${MASK}`);
  assert.equal(run.outputs.length, 2, JSON.stringify(run.outputs.map((o) => (o.kind === 'error' ? o.message : o.kind))));
  const overlay = run.outputs[0]!;
  const table = run.outputs[1]!;
  assert.ok(overlay.kind === 'display' && table.kind === 'display');
  const result = NotebookResultSchema.parse(overlay.data[SCANLENS_RESULT_MIME]);
  assert.ok(result.kind === 'explain' && result.scorecard);
  assert.equal(fromCli.maskFile, MASK);
  assert.equal(result.maskFile, MASK);
  assert.deepEqual(result.scorecard, fromCli.scorecard);

  // The markdown table shows the numbers the CLI's table prints.
  const markdown = String(table.data['text/markdown']);
  const card = result.scorecard;
  for (const value of [card.confidence.drop, card.deletion.auc, card.insertion.auc, card.road.combined, card.mask!.relevanceMass!]) {
    assert.ok(markdown.includes(value.toFixed(4)), `${value.toFixed(4)} in the markdown`);
  }
  const text = runCli(['explain', 'samples/glioma-01.png', '--threads', '1', '--mask', MASK]);
  for (const line of ['confidence drop (Grad-CAM++)', 'deletion AUC (RISE, 64 steps)', 'pointing game (mask)']) {
    const printed = text.stdout.split('\n').find((l) => l.startsWith(line));
    const shown = markdown.split('\n').find((l) => l.startsWith(`| ${line}`));
    assert.ok(printed && shown, line);
    assert.equal(printed.split(/\s{2,}/)[1], shown.split(' | ')[1], line);
  }
});

test('a mask outside the notebook is refused like any path, seed= reaches the randomisation check, and a cell without score= has no scorecard', async () => {
  const session = new NotebookSession({ baseDir: join(ROOT, 'samples'), defaultModelPath: join(ROOT, 'models', 'brain-mri-demo'), threads: 1 });
  const outside = await executeCell(session, `explain glioma-01.png mask=../${MASK}`);
  const refused = outside.outputs[0]!;
  assert.ok(refused.kind === 'error');
  assert.match(refused.message, /glioma-01-mask\.png/);
  assert.doesNotMatch(refused.message, /\n/);
  const seeded = await executeCell(session, 'explain glioma-01.png score=true seed=7');
  const seededOutput = seeded.outputs[0]!;
  assert.ok(seededOutput.kind === 'display');
  const seededResult = NotebookResultSchema.parse(seededOutput.data[SCANLENS_RESULT_MIME]);
  assert.ok(seededResult.kind === 'explain' && seededResult.scorecard && 'seed' in seededResult.scorecard.randomisation);
  assert.equal(seededResult.scorecard.randomisation.seed, 7);
  const plain = await executeCell(session, 'explain glioma-01.png');
  assert.equal(plain.outputs.length, 1);
  const output = plain.outputs[0]!;
  assert.ok(output.kind === 'display');
  const result = NotebookResultSchema.parse(output.data[SCANLENS_RESULT_MIME]);
  assert.ok(result.kind === 'explain' && result.scorecard === undefined);
});

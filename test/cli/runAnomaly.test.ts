import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// The notebook's folder, with the anomaly demo sets beside it; derived models go to a fresh cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-run-anomaly-'));
process.env['SCANLENS_CACHE_DIR'] = join(work, 'cache');
after(() => rmSync(work, { recursive: true, force: true }));
const nb = join(work, 'nb');
mkdirSync(nb);
cpSync(join(ROOT, 'samples', 'anomaly'), join(nb, 'anomaly'), { recursive: true });

const RESULT = 'application/vnd.scanlens.result+json';
const code = (source: string): Record<string, unknown> => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}
interface Cell {
  outputs: Output[];
}

test('scanlens run over anomaly cells saves their outputs; run --check reproduces them, writes nothing, and reports a changed score', () => {
  const path = join(nb, 'anomaly.ipynb');
  const cells = [
    code('anomaly fit anomaly/normal out=detector'),
    code('anomaly score anomaly/lesion/glioma-01.png anomaly/normal/normal-01.png anomaly/missing.png detector=detector maps=true\nexport scores.csv'),
    code('anomaly eval anomaly/normal anomaly/lesion detector=detector'),
    code('# the detector fitted above, without naming it\nanomaly score anomaly/lesion/glioma-02.png'),
  ];
  writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells }));
  const run = runCli(['run', path, '--threads', '1']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.ok(existsSync(join(nb, 'detector', 'detector.json')), 'fit out= wrote the detector');
  assert.ok(existsSync(join(nb, 'scores.csv')));

  const saved = JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] };
  const payloads = saved.cells.map((c) => c.outputs.flatMap((o) => (o.data && RESULT in o.data ? [o.data[RESULT] as Record<string, unknown>] : [])));
  assert.deepEqual(
    payloads.map((p) => p.map((r) => `${String(r['kind'])} ${String(r['subcommand'])}`)),
    [['anomaly fit'], ['anomaly score', 'export undefined'], ['anomaly eval'], ['anomaly score']],
  );
  const score = payloads[1]![0]! as { rows: { file: string; score?: number; label?: string; error?: string }[]; detector: { path: string } };
  // Arguments that name nothing come first, as in classify and the command line.
  assert.deepEqual(
    score.rows.map((r) => [r.file, r.label ?? 'error']),
    [
      ['anomaly/missing.png', 'error'],
      ['anomaly/lesion/glioma-01.png', 'anomalous'],
      ['anomaly/normal/normal-01.png', 'normal'],
    ],
  );
  assert.equal(score.detector.path, 'detector');
  // maps=true: each scored scan's map as a PNG output; eval: the histogram and the ROC curve as plotly with SVG copies.
  assert.equal(saved.cells[1]!.outputs.filter((o) => o.data && 'image/png' in o.data).length, 2);
  assert.deepEqual(
    saved.cells[2]!.outputs.map((o) => Object.keys(o.data ?? {})[0]),
    [RESULT, 'application/vnd.plotly.v1+json', 'application/vnd.plotly.v1+json'],
  );
  assert.equal((payloads[3]![0]! as { detector: { path: string } }).detector.path, 'detector');

  // --check runs everything again and writes nothing: not the detector, not the export.
  rmSync(join(nb, 'detector'), { recursive: true });
  rmSync(join(nb, 'scores.csv'));
  const listing = readdirSync(nb).sort();
  const check = runCli(['run', '--check', path, '--threads', '1']);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /4 cell\(s\) run, 0 failed; matches the saved outputs/);
  assert.deepEqual(readdirSync(nb).sort(), listing, 'run --check wrote nothing');

  // A changed number is a difference, named by where it is.
  const tampered = JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] };
  const scorePayload = tampered.cells[1]!.outputs[0]!.data![RESULT] as { rows: { score: number }[] };
  scorePayload.rows[1]!.score += 1;
  const evalPayload = tampered.cells[2]!.outputs[0]!.data![RESULT] as { metrics: { auroc: number } };
  evalPayload.metrics.auroc -= 0.1;
  writeFileSync(path, JSON.stringify(tampered));
  const differs = runCli(['run', '--check', path, '--threads', '1']);
  assert.equal(differs.status, 2, differs.stdout + differs.stderr);
  assert.match(differs.stdout, /^cell 2, result 1 \(anomaly score .*\): rows\[1\]\.score: saved [\d.]+ → now [\d.]+ \(off by 1\.00e\+0\)$/m);
  assert.match(differs.stdout, /^cell 3, result 1 \(anomaly eval .*\): metrics\.auroc: saved [\d.]+ → now [\d.]+ \(off by 1\.00e-1\)$/m);
  assert.match(differs.stdout, /2 difference\(s\) from the saved outputs/);
});

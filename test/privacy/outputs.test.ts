import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, test } from 'node:test';
import { fixture, ROOT } from '../helpers/paths';
import { runCli, type CliResult } from '../helpers/runCli';

/**
 * Every output path, run on DICOMs carrying a fake patient (DOE^JANE,
 * PAT-12345, born 19700101 — scripts/reference/make_scan_fixtures.py), must
 * show none of the identifying values: stdout, stderr, JSON, CSV, PNGs,
 * notebook outputs and error rows. The values searched for are read back
 * with --reveal-phi, which is also the positive control that the search can
 * find them.
 */

const FAKE_PATIENT = ['DOE^JANE', 'PAT-12345', '19700101', 'HOUSE^GREGORY', 'General Hospital of Somewhere'];

let work: string;
let needles: { value: string; pattern: RegExp }[] = [];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A number-like value must not match inside a longer number (a time 185434 inside 0.1854341). */
function needle(value: string): { value: string; pattern: RegExp } {
  const body = escape(value);
  return { value, pattern: /^[0-9.]+$/.test(value) ? new RegExp(`(?<![0-9.])${body}(?![0-9])`) : new RegExp(body) };
}

function metadataOf(result: CliResult): Record<string, unknown> {
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { metadata: Record<string, unknown> }).metadata;
}

function leaks(text: string): string[] {
  return needles.filter((n) => n.pattern.test(text)).map((n) => n.value);
}

function assertClean(what: string, text: string): void {
  assert.deepEqual(leaks(text), [], `${what} shows identifying values`);
}

function assertCliClean(what: string, result: CliResult): void {
  assertClean(`${what} (stdout)`, result.stdout);
  assertClean(`${what} (stderr)`, result.stderr);
}

/** Every file under `dir`, as text and, for binary files, as latin1 (PNG text chunks included). */
function assertFilesClean(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (!statSync(path).isFile()) continue;
    assertClean(relative(work, path), readFileSync(path).toString('latin1'));
    count++;
  }
  return count;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'scanlens-privacy-'));
  mkdirSync(join(work, 'single'));
  copyFileSync(fixture('dicom', 'mr-explicit-le.dcm'), join(work, 'single', 'scan.dcm'));
  mkdirSync(join(work, 'compressed'));
  copyFileSync(fixture('dicom', 'mr-jpeg-lossless.dcm'), join(work, 'compressed', 'scan.dcm'));
  cpSync(fixture('dicom', 'series'), join(work, 'series'), { recursive: true });
  // The header (with the patient) survives, the pixel data is cut: the error path must not show the header either.
  mkdirSync(join(work, 'broken'));
  const whole = readFileSync(fixture('dicom', 'mr-explicit-le.dcm'));
  writeFileSync(join(work, 'broken', 'cut.dcm'), whole.subarray(0, whole.length - 4000));
  const redacted = metadataOf(runCli(['info', join(work, 'single', 'scan.dcm'), '--json']));
  const revealed = metadataOf(runCli(['info', join(work, 'single', 'scan.dcm'), '--json', '--reveal-phi']));
  // Every value the privacy profile hides is a needle, plus the fake patient (whatever the profile decides).
  const hidden = Object.keys(revealed).filter((key) => redacted[key] !== revealed[key] && typeof revealed[key] === 'string' && (revealed[key] as string).trim().length >= 6);
  needles = [...new Set([...FAKE_PATIENT, ...hidden.map((key) => (revealed[key] as string).trim())])].map(needle);
});

test('positive control: the fixtures carry the fake patient and --reveal-phi shows it', () => {
  for (const file of ['single/scan.dcm', 'compressed/scan.dcm', 'series/slice-0.dcm', 'broken/cut.dcm']) {
    assert.ok(readFileSync(join(work, file)).toString('latin1').includes('DOE^JANE'), `${file} lacks the fake patient`);
  }
  const revealed = runCli(['info', join(work, 'single', 'scan.dcm'), '--json', '--reveal-phi']);
  for (const value of FAKE_PATIENT) assert.ok(leaks(revealed.stdout).includes(value), `--reveal-phi does not show ${value}`);
  assert.ok(needles.length > FAKE_PATIENT.length, 'the profile hides more than the fake patient (dates, UIDs)');
});

test('info, text and --json, on a file, a compressed file, a series and a broken file', () => {
  for (const target of ['single/scan.dcm', 'compressed/scan.dcm', 'series']) {
    for (const json of [[], ['--json']]) {
      const result = runCli(['info', join(work, target), ...json]);
      assert.equal(result.status, 0, result.stderr);
      assertCliClean(`info ${target} ${json.join('')}`, result);
    }
  }
  const broken = runCli(['info', join(work, 'broken', 'cut.dcm'), '--json']);
  assert.notEqual(broken.status, 0);
  assert.match(broken.stderr, /cut\.dcm/);
  assertCliClean('info on a broken file', broken);
});

test('classify --json and --csv, with an error row', () => {
  const csv = join(work, 'classify.csv');
  const inputs = ['single', 'compressed', 'series', 'broken'].map((d) => join(work, d));
  const result = runCli(['classify', ...inputs, '--json', '--csv', csv]);
  assert.equal(result.status, 2, result.stderr);
  const report = JSON.parse(result.stdout) as { results: { error?: string }[] };
  assert.ok(
    report.results.some((r) => r.error?.includes('cut.dcm')),
    'the broken file is an error row',
  );
  assert.ok(report.results.filter((r) => !r.error).length >= 2);
  assertCliClean('classify --json', result);
  assertClean('classify --csv', readFileSync(csv, 'utf8'));
});

test('explain --json and its overlay PNG', () => {
  const overlay = join(work, 'explain', 'overlay.png');
  mkdirSync(join(work, 'explain'));
  const result = runCli(['explain', join(work, 'single', 'scan.dcm'), '--json', '--out', overlay]);
  assert.equal(result.status, 0, result.stderr);
  assertCliClean('explain --json', result);
  assert.equal(assertFilesClean(join(work, 'explain')), 1);
});

test('classify --report: the HTML report and the pictures inside it, overlays and an error row included', () => {
  const report = join(work, 'report', 'report.html');
  const inputs = ['single', 'compressed', 'series', 'broken'].map((d) => join(work, d));
  const result = runCli(['classify', ...inputs, '--report', report, '--report-overlays']);
  assert.equal(result.status, 2, result.stderr);
  assertCliClean('classify --report', result);
  const html = readFileSync(report, 'utf8');
  // The cut file shares the single file's series (same header): that series is the error row.
  assert.match(html, /<h3>Errors<\/h3><ul class="error"><li>.*cut\.dcm/, 'the broken file makes an error row');
  assert.equal((html.match(/alt="explanation"/g) ?? []).length, 2, 'the compressed file and the series have overlays');
  assertClean('the report', html);
  // The thumbnails are base64 in the page: look inside them too.
  const pictures = [...html.matchAll(/data:image\/jpeg;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('latin1'));
  assert.equal(pictures.length, 4);
  pictures.forEach((picture, i) => assertClean(`report picture ${i}`, picture));
});

test('preprocess stage PNGs', () => {
  const out = join(work, 'preprocess');
  const result = runCli(['preprocess', join(work, 'single', 'scan.dcm'), '--out', out]);
  assert.equal(result.status, 0, result.stderr);
  assertCliClean('preprocess', result);
  assert.ok(assertFilesClean(out) >= 2);
});

test('anomaly fit on DICOMs (the detector files), then score --json and its maps', () => {
  // Fitted here against the current demo model, so the test does not depend on the committed detector being in step.
  const normals = join(work, 'normals');
  cpSync(join(ROOT, 'samples', 'anomaly', 'normal'), normals, { recursive: true });
  copyFileSync(join(work, 'single', 'scan.dcm'), join(normals, 'scan.dcm'));
  copyFileSync(join(work, 'compressed', 'scan.dcm'), join(normals, 'compressed.dcm'));
  const detector = join(work, 'detector');
  const fit = runCli(['anomaly', 'fit', normals, '--out', detector]);
  assert.equal(fit.status, 0, fit.stderr);
  assertCliClean('anomaly fit', fit);
  assert.ok(assertFilesClean(detector) >= 1);
  const maps = join(work, 'maps');
  const result = runCli(['anomaly', 'score', join(work, 'single', 'scan.dcm'), join(work, 'broken', 'cut.dcm'), '--detector', detector, '--json', '--maps', maps]);
  assert.equal(result.status, 2, result.stderr);
  assertCliClean('anomaly score', result);
  assert.ok(assertFilesClean(maps) >= 1);
});

test('notebook outputs, exported tables and the run log', () => {
  const cells = [
    'info single/scan.dcm\ninfo series',
    'classify single compressed series top=2\nexport results.csv',
    'explain single/scan.dcm method=gradcam',
    'volume series axis=axial',
    'preprocess compressed/scan.dcm stages=denoise',
    'info broken/cut.dcm',
  ];
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'scanlens', display_name: 'ScanLens', language: 'scanlens' } },
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, source, outputs: [], execution_count: null })),
  };
  writeFileSync(join(work, 'analysis.ipynb'), JSON.stringify(notebook));
  const result = runCli(['run', join(work, 'analysis.ipynb'), '--out', join(work, 'ran.ipynb')]);
  assert.equal(result.status, 2, `only the broken file's cell fails: ${result.stderr}`);
  assertCliClean('scanlens run', result);
  const ran = readFileSync(join(work, 'ran.ipynb'), 'utf8');
  assertClean('the saved notebook', ran);
  const outputs = (JSON.parse(ran) as { cells: { outputs: { output_type: string; data?: Record<string, unknown>; evalue?: string }[] }[] }).cells.map((c) => c.outputs);
  assert.ok(
    outputs.every((o) => o.length > 0),
    'every cell produced output',
  );
  assert.ok(
    outputs.at(-1)!.some((o) => o.output_type === 'error' && o.evalue?.includes('cut.dcm')),
    'the broken file is reported',
  );
  // Images are base64 in the notebook: look inside them too.
  const pngs = outputs.flat().flatMap((o) => (typeof o.data?.['image/png'] === 'string' ? [Buffer.from(o.data['image/png'], 'base64').toString('latin1')] : []));
  assert.ok(pngs.length >= 2, 'explain and preprocess produced images');
  pngs.forEach((png, i) => assertClean(`notebook image ${i}`, png));
  assertClean('exported results.csv', readFileSync(join(work, 'results.csv'), 'utf8'));
});

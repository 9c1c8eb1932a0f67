import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { orderedSeriesFiles } from '../../src/core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import type { BatchResult } from '../../src/host/classifyBatch';
import { OPEN_RESULTS_COMMAND, RESULTS_QUERY_COMMAND } from '../../src/host/results/registerResults';
import { VIEWER_QUERY_COMMAND } from '../../src/host/viewer/registerViewer';
import type { ResultsState, WebviewRequest } from '../../src/protocol/resultsMessages';
import type { ViewerState } from '../../src/protocol/viewerMessages';
import { reportAudit, reportRows } from '../helpers/reportRows';
import { ROOT, freshView, ok, screenshot, sleep, workspaceRoot, workspaceUri } from './helpers';

function results(path: string, request: WebviewRequest = { type: 'state' }): Promise<ResultsState> {
  return Promise.resolve(vscode.commands.executeCommand<ResultsState>(RESULTS_QUERY_COMMAND, path, request));
}

/** Polls the results view of `path` until `ready` holds (the view opens a moment after classify returns). */
async function until(path: string, ready: (s: ResultsState) => boolean, what: string, tries = 600): Promise<ResultsState> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const state = await results(path);
      if (state.error) throw new Error(`results view shows an error: ${state.error}`);
      if (ready(state)) return state;
      last = state;
    } catch (error) {
      if (String(error).includes('shows an error')) throw error;
      last = error;
    }
    await sleep(50);
  }
  throw new Error(`results view: ${what} never came: ${JSON.stringify(last).slice(0, 400)}`);
}

async function viewerState(uri: vscode.Uri, ready: (s: ViewerState) => boolean): Promise<ViewerState> {
  let last: unknown;
  for (let i = 0; i < 600; i++) {
    try {
      const state = await vscode.commands.executeCommand<ViewerState>(VIEWER_QUERY_COMMAND, uri, { type: 'state' });
      if (state.paints > 0 && state.pending === 0 && ready(state)) return state;
      last = state;
    } catch (error) {
      last = error;
    }
    await sleep(50);
  }
  throw new Error(`the viewer of ${uri.fsPath} never settled: ${JSON.stringify(last).slice(0, 400)}`);
}

const topOf = (row: BatchResult['rows'][number]): { label: string; probability: number } | undefined => ('top' in row && row.top ? row.top : undefined);

suite('results view', () => {
  suiteSetup(async () => {
    await vscode.workspace.getConfiguration().update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('classifying a labelled folder opens the view: grid, audit equal to scanlens evaluate, sort, filter, confusion cell, keyboard, export, click through to the viewer', async () => {
    const samples = workspaceUri('samples');
    await freshView(samples);
    const batch = ok(await vscode.commands.executeCommand<BatchResult | { error: string }>('scanlens.classify', samples, [samples]), 'classify');
    assert.equal(batch.kind, 'batch');
    const state = await until(batch.json, (s) => s.loaded && s.firstPaintMs !== undefined && s.thumbnails >= Math.min(4, s.rendered.length), 'the grid with thumbnails');
    assert.equal(state.entries, batch.rows.length);
    assert.equal(state.mode, 'grid');
    assert.ok(state.rendered.length > 0 && state.rendered.length <= state.entries);

    // The audit: samples/labels.csv labels the folder; the numbers are the CLI's evaluate of it.
    assert.ok(state.audit, 'a labelled folder is audited');
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), 'evaluate', 'samples/labels.csv', '--json'], {
      cwd: workspaceRoot(),
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const evaluated = JSON.parse(cli.stdout) as { accuracy: number; calibration: { ece: number }; confusion: number[][]; labels: string[] };
    assert.equal(state.audit.accuracy, evaluated.accuracy);
    assert.ok(Math.abs(state.audit.ece - evaluated.calibration.ece) < 1e-12, `ECE ${state.audit.ece} against ${evaluated.calibration.ece}`);
    await vscode.commands.executeCommand('notifications.clearAll');
    await sleep(500);
    await screenshot('results-grid-audit');

    // Sort: by top probability, highest first.
    const sorted = await results(batch.json, { type: 'sort', sort: { key: 'probability', descending: true } });
    const probabilities = sorted.shown.map((i) => topOf(batch.rows[i]!)?.probability ?? -1);
    assert.deepEqual(
      probabilities,
      [...probabilities].sort((a, b) => b - a),
    );

    // Filter: one class; then a confusion-matrix cell (true glioma, predicted as the first class it was confused with, or glioma).
    const labels = evaluated.labels;
    const glioma = await results(batch.json, { type: 'filter', filter: { label: 'glioma' } });
    assert.ok(glioma.shown.length > 0);
    assert.ok(glioma.shown.every((i) => topOf(batch.rows[i]!)?.label === 'glioma'));
    const t = labels.indexOf('glioma');
    const p = evaluated.confusion[t]!.findIndex((n, j) => n > 0 && j !== t);
    const predicted = labels[p >= 0 ? p : t]!;
    const cell = await results(batch.json, { type: 'cell', truth: 'glioma', predicted });
    assert.equal(cell.shown.length, evaluated.confusion[t]![labels.indexOf(predicted)]);
    assert.ok(cell.shown.every((i) => topOf(batch.rows[i]!)?.label === predicted));

    // Keyboard and selection: all rows again, the second one focused with an arrow, selected with space, exported as CSV.
    await results(batch.json, { type: 'filter', filter: {} });
    await results(batch.json, { type: 'sort', sort: { key: 'file', descending: false } });
    await results(batch.json, { type: 'key', key: 'Home' });
    const moved = await results(batch.json, { type: 'key', key: 'ArrowRight' });
    assert.equal(moved.focused, moved.shown[1]);
    const picked = await results(batch.json, { type: 'key', key: ' ' });
    assert.deepEqual(picked.selected, [moved.shown[1]]);
    const exported = await results(batch.json, { type: 'action', action: 'exportCsv' });
    const csvPath = join(dirname(batch.json), `${basename(batch.json, '.json')}-selection-1.csv`);
    assert.match(exported.status, /^1 row written to /);
    const csv = readFileSync(csvPath, 'utf8').trim().split('\n');
    assert.equal(csv.length, 2);
    assert.ok(csv[1]!.startsWith(batch.rows[moved.shown[1]!]!.file), csv[1]);

    // Export Report: the HTML report classify --report writes, with the same audit.
    const reported = await results(batch.json, { type: 'action', action: 'exportReport' });
    assert.match(reported.status, new RegExp(`^report of ${batch.rows.length} rows written to `));
    const html = readFileSync(batch.json.replace(/\.json$/, '.html'), 'utf8');
    assert.equal(reportRows(html).length, batch.rows.length);
    assert.equal(reportAudit(html)?.accuracy, evaluated.accuracy);

    // Enter opens the focused scan in the ScanLens Viewer.
    await results(batch.json, { type: 'key', key: 'Enter' });
    const file = vscode.Uri.file(join(workspaceRoot(), batch.rows[moved.shown[1]!]!.file));
    const viewer = await viewerState(file, (s) => s.probabilities.length === labels.length);
    assert.ok(viewer.paints > 0);
    await vscode.commands.executeCommand('notifications.clearAll');
    await sleep(300);
    await screenshot('results-open-viewer');

    // The table shows the same rows, one line each.
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const table = await results(batch.json, { type: 'mode', mode: 'table' });
    assert.equal(table.mode, 'table');
    assert.deepEqual(table.rendered, table.shown.slice(0, table.rendered.length));
  });

  test('a volume opens in the viewer on the slice its top class comes from', async () => {
    const volumes = workspaceUri('volumes');
    const batch = ok(await vscode.commands.executeCommand<BatchResult | { error: string }>('scanlens.classify', volumes, [volumes]), 'classify');
    await until(batch.json, (s) => s.loaded, 'the view');
    const index = batch.rows.findIndex((r) => r.file.endsWith('ras-grid.nii'));
    const row = batch.rows[index]!;
    assert.ok('peaks' in row, 'the NIfTI is a volume row');
    const filtered = await results(batch.json, { type: 'filter', filter: { text: 'ras-grid' } });
    assert.deepEqual(filtered.shown, [index]);
    await results(batch.json, { type: 'key', key: 'Enter' });
    const viewer = await viewerState(vscode.Uri.file(join(workspaceRoot(), row.file)), (s) => s.slice === row.top.slice);
    assert.equal(viewer.axis, row.axis);

    // A DICOM series opens the file of its top slice (the viewer reads one file at a time).
    const seriesIndex = batch.rows.findIndex((r) => r.kind === 'series');
    const series = batch.rows[seriesIndex]!;
    assert.ok('peaks' in series && series.files, 'the series folder is a series row with its files');
    await results(batch.json, { type: 'filter', filter: {} });
    await results(batch.json, { type: 'reveal', position: (await results(batch.json)).shown.indexOf(seriesIndex) });
    await results(batch.json, { type: 'key', key: 'Enter' });
    const ordered = await orderedSeriesFiles(
      'series',
      series.files.map((f) => join(workspaceRoot(), f)),
      DEFAULT_LIMITS,
    );
    await viewerState(vscode.Uri.file(ordered[series.top.slice]!), () => true);
  });

  test('Open Results on a file that is not a classify result: one line naming the file and the field at fault, no view', async () => {
    const path = join(workspaceRoot(), 'scanlens-results', 'not-a-result.json');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ name: 'package', results: [] }));
    const outcome = await vscode.commands.executeCommand<{ error?: string }>(OPEN_RESULTS_COMMAND, vscode.Uri.file(path));
    assert.match(outcome?.error ?? '', /not-a-result\.json: not a classify result: model: /);
    assert.doesNotMatch(outcome!.error!, /\n/);
    await assert.rejects(results(path), /no results view is open/);
  });

  test('Open Results on a saved result of 10,000 rows: time to first paint, and the page stays the same size while scrolling', async () => {
    const samples = readdirSync(join(workspaceRoot(), 'samples'))
      .filter((f) => f.endsWith('.png'))
      .sort();
    const labels = ['glioma', 'meningioma', 'notumor', 'pituitary'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const raw = labels.map(() => next() + 0.05);
      const sum = raw.reduce((a, b) => a + b, 0);
      const probabilities = raw.map((v) => v / sum);
      const best = probabilities.indexOf(Math.max(...probabilities));
      return { kind: 'image', file: `samples/${samples[i % samples.length]!}`, probabilities, top: { label: labels[best]!, probability: probabilities[best]! } };
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = join(workspaceRoot(), 'scanlens-results');
    mkdirSync(folder, { recursive: true });
    const path = join(folder, 'ten-thousand.json');
    writeFileSync(path, JSON.stringify({ model: { name: 'synthetic', labels }, results: rows, summary: { files: rows.length } }));

    const started = performance.now();
    const opened = ok(await vscode.commands.executeCommand<{ entries: number } | { error: string }>(OPEN_RESULTS_COMMAND, vscode.Uri.file(path)), 'open results');
    const hostMs = performance.now() - started;
    assert.equal(opened.entries, 10_000);
    const first = await until(path, (s) => s.loaded && s.firstPaintMs !== undefined, 'the first paint');
    const openMs = performance.now() - started;
    console.log(`[scanlens] 10,000 rows: first paint after ${openMs.toFixed(0)} ms`);
    const top = await until(path, (s) => s.thumbnails >= Math.min(8, s.rendered.length), 'thumbnails at the top');
    const thumbsMs = performance.now() - started;
    const scroll = async (position: number): Promise<{ state: ResultsState; ms: number }> => {
      const t0 = performance.now();
      await results(path, { type: 'reveal', position });
      const state = await until(path, (s) => s.rendered.includes(s.shown[position]!) && s.thumbnails >= Math.min(8, s.rendered.length), `thumbnails at ${position}`);
      return { state, ms: performance.now() - t0 };
    };
    console.log(`[scanlens] 10,000 rows: first thumbnails after ${thumbsMs.toFixed(0)} ms`);
    const middle = await scroll(5_000);
    const end = await scroll(9_999);
    const mb = (s: ResultsState): string => (s.heapBytes === undefined ? 'n/a' : `${(s.heapBytes / 1e6).toFixed(1)} MB`);
    console.log(
      `[scanlens:timing] results view, 10,000 rows: open to first paint ${openMs.toFixed(0)} ms (host: result read, entries and audit made, panel created ${hostMs.toFixed(0)} ms; page script to paint ${first.firstPaintMs!.toFixed(0)} ms), first thumbnails ${thumbsMs.toFixed(0)} ms; ` +
        `DOM nodes ${top.domNodes} / ${middle.state.domNodes} / ${end.state.domNodes} and JS heap ${mb(top)} / ${mb(middle.state)} / ${mb(end.state)} at top / middle / end; ` +
        `scroll to row 5,000 with its thumbnails ${middle.ms.toFixed(0)} ms, to row 9,999 ${end.ms.toFixed(0)} ms`,
    );
    assert.ok(openMs < 5_000, `opening took ${openMs.toFixed(0)} ms`);
    assert.ok(top.rendered.length < 200, `${top.rendered.length} tiles drawn of 10,000`);
    assert.ok(Math.abs(end.state.domNodes - top.domNodes) < 100, `DOM nodes ${top.domNodes} at the top, ${end.state.domNodes} at the end`);
    assert.ok(existsSync(path));
  });
});

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BatchResult } from '../../src/host/classifyBatch';
import type { FileResult } from '../../src/host/classifyFile';
import type { VolumeResult } from '../../src/host/classifyVolumeFile';
import { LESION_SLICE, writeGuardedVolume } from '../helpers/guardedVolume';
import { deflatedSlice, itemFlood, privateTagFlood } from '../helpers/hostileDicom';
import { assertSameRows, canonical, writeMixedFolder } from '../helpers/mixedFolder';
import { ROOT, freshView, ok, screenshot, workspaceRoot, workspaceUri, writeGuardedModel } from './helpers';

const demoManifest = JSON.parse(readFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), 'utf8')) as { name: string; labels: string[] };

function classify(...args: unknown[]): Thenable<FileResult | VolumeResult | BatchResult | { error: string } | undefined> {
  return vscode.commands.executeCommand('scanlens.classify', ...args);
}

/** RFC 4180 reader for the report: quoted fields may hold commas, quotes and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

suite('classify from the explorer', () => {
  let sample: vscode.Uri;

  suiteSetup(() => {
    const first = readdirSync(join(workspaceRoot(), 'samples'))
      .filter((f) => f.endsWith('.png'))
      .sort()[0];
    assert.ok(first, 'the workspace has no samples/*.png');
    sample = workspaceUri('samples', first);
  });

  test('a sample file: top classes of the bundled model, in a notification', async () => {
    await freshView(sample);
    const result = ok(await classify(sample, [sample]), 'classify') as FileResult;
    assert.equal(result.kind, 'file');
    assert.equal(result.model.name, demoManifest.name);
    const { row } = result;
    assert.equal(row.error, undefined);
    assert.deepEqual(row.labels, demoManifest.labels);
    const probabilities = row.probabilities ?? [];
    assert.equal(probabilities.length, demoManifest.labels.length);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'probabilities sum to 1');
    const best = probabilities.indexOf(Math.max(...probabilities));
    assert.equal(row.top?.label, demoManifest.labels[best]);
    assert.match(result.message, new RegExp(`${row.top!.label} \\d+\\.\\d%`));
    await screenshot('classify-file-notification');
  });

  test('a file that is not a scan: one clear error naming it, no stack trace', async () => {
    const broken = workspaceUri('scans', 'broken.png');
    const result = ok(await classify(broken), 'classify') as FileResult;
    assert.ok(result.row.error, 'expected an error row');
    assert.match(result.row.error, /broken\.png/);
    assert.doesNotMatch(result.row.error, /\n|\s+at\s+\S+ \(/);
  });

  test('a folder: progress, then CSV and JSON reports with an error row for the bad file', async () => {
    const scans = workspaceUri('scans');
    await freshView(scans);
    const onDisk = readdirSync(scans.fsPath).sort();
    const result = ok(await classify(scans, [scans]), 'classify') as BatchResult;
    assert.equal(result.kind, 'batch');
    await screenshot('classify-folder-summary');
    // Every file named or shaped like a scan gets a row; notes.txt is skipped.
    const expected = onDisk.filter((f) => f !== 'notes.txt').map((f) => `scans/${f}`);
    assert.deepEqual([...result.rows.map((r) => r.file)].sort(), expected);
    assert.deepEqual(result.summary, { files: expected.length, classified: expected.length - 1, failed: 1, skipped: 1, cancelled: false });

    const reportDir = join(workspaceRoot(), 'scanlens-results');
    assert.equal(join(result.csv, '..'), reportDir);
    assert.deepEqual(
      readdirSync(reportDir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temp file left behind',
    );
    const table = parseCsv(readFileSync(result.csv, 'utf8'));
    assert.deepEqual(table[0], ['file', 'top_label', 'top_probability', ...demoManifest.labels.map((l) => `p_${l}`), 'error', 'kind', 'axis', 'slices', 'top_slice', 'peak_slices', 'check']);
    assert.equal(table.length - 1, expected.length);
    for (const line of table.slice(1)) {
      const row = result.rows.find((r) => r.file === line[0]);
      assert.ok(row, `CSV row ${line[0]} is not in the result`);
      const errorCell = line[3 + demoManifest.labels.length];
      if ('error' in row && row.error !== undefined) {
        assert.equal(line[1], '');
        assert.equal(errorCell, row.error);
      } else {
        assert.ok('top' in row && row.top);
        assert.equal(line[1], row.top.label);
        assert.equal(Number(line[2]), row.top.probability);
        const probs = line.slice(3, 3 + demoManifest.labels.length).map(Number);
        assert.equal(demoManifest.labels[probs.indexOf(Math.max(...probs))], line[1]);
        assert.equal(errorCell, '');
      }
    }
    const broken = table.find((line) => line[0] === 'scans/broken.png');
    assert.match(broken?.[3 + demoManifest.labels.length] ?? '', /broken\.png/);

    const json = JSON.parse(readFileSync(result.json, 'utf8')) as { model: { name: string }; results: unknown[]; summary: unknown };
    assert.equal(json.model.name, demoManifest.name);
    assert.equal(json.results.length, expected.length);
    assert.deepEqual(json.summary, result.summary);
  });

  /** A volume result: every slice classified, and each class's peak is its highest probability over the slices. */
  function assertVolume(result: VolumeResult, file: string, depth: number): void {
    assert.equal(result.kind, 'volume');
    assert.equal(result.cancelled, false);
    const { row } = result;
    assert.equal(row.file, file);
    assert.equal(row.axis, 'axial');
    assert.deepEqual(row.labels, demoManifest.labels);
    assert.deepEqual(
      row.slices.map((s) => s.slice),
      [...Array(depth).keys()],
    );
    assert.deepEqual(
      row.peaks.map((p) => p.label),
      demoManifest.labels,
    );
    row.peaks.forEach((peak, c) => {
      const best = Math.max(...row.slices.map((s) => s.probabilities[c]!));
      assert.equal(peak.probability, best);
      assert.equal(row.slices[peak.slice]?.probabilities[c], best);
      assert.match(result.message, new RegExp(`${peak.label} \\d\\.\\d\\d at slice ${peak.slice + 1}/${depth}`));
    });
  }

  test('a NIfTI volume: every axial slice classified, peak slice per class in the notification', async () => {
    const volume = workspaceUri('volumes', 'ras-grid.nii');
    await freshView(volume);
    assertVolume(ok(await classify(volume, [volume]), 'classify') as VolumeResult, 'volumes/ras-grid.nii', 8);
    await screenshot('classify-volume-notification');
  });

  test('a DICOM file: one slice gets the notification of a file, two frames are a volume', async () => {
    const slice = workspaceUri('volumes', 'series', 'slice-0.dcm');
    const single = ok(await classify(slice, [slice]), 'classify') as FileResult;
    assert.equal(single.kind, 'file');
    assert.equal(single.row.error, undefined);
    assert.deepEqual(single.row.labels, demoManifest.labels);
    const frames = workspaceUri('volumes', 'rgb-planar-2frame.dcm');
    assertVolume(ok(await classify(frames, [frames]), 'classify') as VolumeResult, 'volumes/rgb-planar-2frame.dcm', 2);
  });

  test('a folder that is one DICOM series: classified as one volume, not a batch', async () => {
    const series = workspaceUri('volumes', 'series');
    assertVolume(ok(await classify(series, [series]), 'classify') as VolumeResult, 'volumes/series', 3);
  });

  test("a guarded model on a volume: each class's peak slice gets the guard's verdict, and the flagged lesion slice is in the notification", async () => {
    // The demo classifier guarded by the demo PaDiM detector; three normal slices and, last, a lesion slice it flags.
    const model = writeGuardedModel('guarded-volume-model');
    await writeGuardedVolume(join(workspaceRoot(), 'volumes', 'guarded.nii'), ROOT);
    const settings = vscode.workspace.getConfiguration();
    await settings.update('scanlens.model', model, vscode.ConfigurationTarget.Workspace);
    try {
      const volume = workspaceUri('volumes', 'guarded.nii');
      const result = ok(await classify(volume, [volume]), 'classify') as VolumeResult;
      assertVolume(result, 'volumes/guarded.nii', 4);
      for (const peak of result.row.peaks) {
        assert.ok(peak.anomalyScore !== undefined && peak.anomalyThreshold !== undefined, `${peak.label}: scored`);
        assert.equal(peak.flag !== undefined, peak.slice === LESION_SLICE, `${peak.label} at slice ${peak.slice}: flagged only on the lesion slice`);
      }
      assert.ok(
        result.row.peaks.some((p) => p.slice === LESION_SLICE),
        'some class peaks on the lesion slice',
      );
      assert.match(result.message, new RegExp(`at slice ${LESION_SLICE + 1}/4 ⚠`));
      assert.match(result.message, new RegExp(` — slice ${LESION_SLICE + 1}/4: .*unlike`));
    } finally {
      await settings.update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('a mixed folder (PNGs, NIfTI, two DICOM series, multi-frame, corrupt): the report has the rows and numbers of scanlens classify --json', async () => {
    const folder = await writeMixedFolder(join(workspaceRoot(), 'mixed'), ROOT);
    const report = ok(await classify(vscode.Uri.file(folder)), 'classify') as BatchResult;
    // Exit 2: two inputs fail, as they should; the JSON has every row.
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), 'classify', 'mixed', '--json'], {
      cwd: workspaceRoot(),
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    }).stdout;
    const expected = (JSON.parse(cli) as { results: Record<string, unknown>[] }).results.map(canonical);
    const rows = report.rows.map((r) => canonical(r as unknown as Record<string, unknown>));
    assertSameRows(rows, expected, 1e-6, 'VS Code folder report', assert.deepEqual, assert.ok);
    assert.equal(rows.filter((r) => r.error).length, 2, 'only the corrupt file and the cut-short series fail');
    assert.equal(report.summary.files, 7);
  }).timeout(120_000);

  test('hostile DICOM structure (8M private tags, a 32M-item deflated flood, 40 deflated 8192² slices): error rows, the good scan classified, the extension host under 1.5 GB', async () => {
    const folder = join(workspaceRoot(), 'hostile-dicom');
    mkdirSync(join(folder, 'series'), { recursive: true });
    try {
      writeFileSync(join(folder, 'private.dcm'), privateTagFlood(8_000_000));
      writeFileSync(join(folder, 'items.dcm'), itemFlood(32_000_000));
      for (let i = 0; i < 40; i++) writeFileSync(join(folder, 'series', `s${String(i).padStart(2, '0')}.dcm`), deflatedSlice('1.2.826.0.1.3680043.8.498.144', i, 8192));
      copyFileSync(sample.fsPath, join(folder, 'good.png'));
      const alone = ok(await classify(vscode.Uri.file(join(folder, 'private.dcm'))), 'classify') as FileResult;
      assert.match(alone.row.error ?? '', /private\.dcm: DICOM data set holds more than 1000000 elements, items and fragments; refused before parsing$/);
      const report = ok(await classify(vscode.Uri.file(folder)), 'classify') as BatchResult;
      const errors = Object.fromEntries(report.rows.map((r) => [r.file, 'error' in r ? r.error : undefined]));
      assert.match(errors['hostile-dicom/private.dcm'] ?? '', /holds more than 1000000 elements/);
      assert.match(errors['hostile-dicom/items.dcm'] ?? '', /holds more than 1000000 elements/);
      const series = Object.keys(errors).find((file) => file.startsWith('hostile-dicom/series'));
      assert.match(errors[series ?? ''] ?? '', /series of 40 slices declares 2684354560 voxels, over the limit of 268435456; refused before decoding$/);
      assert.equal(errors['hostile-dicom/good.png'], undefined);
      assert.equal(report.summary.failed, 3);
      // The extension host's own high-water mark: every test so far in this host, the hostile folder included.
      const peakMb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
      console.log(`extension host peak RSS after the hostile DICOM folder: ${peakMb.toFixed(0)} MB`);
      assert.ok(peakMb < 1536, `extension host peak RSS ${peakMb.toFixed(0)} MB`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }).timeout(120_000);

  test('the same file gives the same probabilities alone and in a folder', async () => {
    const alone = ok(await classify(sample), 'classify') as FileResult;
    const folder = ok(await classify(workspaceUri('samples')), 'classify') as BatchResult;
    const inFolder = folder.rows.find((r) => r.file === `samples/${sample.path.split('/').pop()}`);
    assert.ok(inFolder && 'probabilities' in inFolder && inFolder.probabilities && alone.row.probabilities);
    inFolder.probabilities.forEach((p, i) => assert.ok(Math.abs(p - alone.row.probabilities![i]!) < 1e-5));
  });
});

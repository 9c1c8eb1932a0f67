import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Ajv from 'ajv-draft-04';
import * as vscode from 'vscode';
import { compareNotebooks } from '../../src/notebook/ipynb/compareOutputs';
import { parseNotebook } from '../../src/notebook/ipynb/readNotebook';
import { NotebookResultSchema, ProvenanceSchema, SCANLENS_RESULT_MIME, type NotebookResult } from '../../src/protocol/notebookResult';
import { EXTENSION_ID, ROOT, freshView, screenshot, sleep, workspaceRoot, workspaceUri } from './helpers';

const KERNEL = { id: 'scanlens-kernel', extension: EXTENSION_ID };
const ERROR_MIME = 'application/vnd.code.notebook.error';
const decoder = new TextDecoder();

function codeCells(notebook: vscode.NotebookDocument): vscode.NotebookCell[] {
  return notebook.getCells().filter((cell) => cell.kind === vscode.NotebookCellKind.Code);
}

/** Waits until every given cell has finished a run that started at or after `since` (Date.now() before running). */
async function finished(cells: readonly vscode.NotebookCell[], since: number): Promise<void> {
  while (cells.some((cell) => (cell.executionSummary?.timing?.endTime ?? 0) < since || cell.executionSummary?.success === undefined)) await sleep(100);
}

/** Runs all cells of the active notebook with whatever kernel is selected and waits for them. */
async function runAll(notebook: vscode.NotebookDocument): Promise<void> {
  const since = Date.now();
  await vscode.commands.executeCommand('notebook.execute');
  await finished(codeCells(notebook), since);
}

async function openAndRun(uri: vscode.Uri): Promise<{ notebook: vscode.NotebookDocument; editor: vscode.NotebookEditor }> {
  const notebook = await vscode.workspace.openNotebookDocument(uri);
  const editor = await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, ...KERNEL });
  await vscode.commands.executeCommand('notebook.clearAllCellsOutputs');
  await runAll(notebook);
  return { notebook, editor };
}

function payloads(cell: vscode.NotebookCell): NotebookResult[] {
  return cell.outputs.flatMap((o) => o.items.filter((i) => i.mime === SCANLENS_RESULT_MIME).map((i) => NotebookResultSchema.parse(JSON.parse(decoder.decode(i.data)))));
}

/** The scanlens command line of this checkout, run with the host's own Node (Electron's, as Node, under test-electron). */
function cli(args: readonly string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), ...args], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

/** The nbformat 4.5 schema the unit tests use; the saved notebook must pass it. */
function validateNbformat(doc: unknown): string[] {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'nbformat', 'nbformat.v4.5.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

suite('notebook kernel', () => {
  const sample = (): vscode.Uri => workspaceUri('samples', 'analysis.ipynb');
  /** The sample as `scanlens run` writes it now, with the same engine and model: what the kernel must reproduce. */
  let headless: ReturnType<typeof parseNotebook>;

  suiteSetup(() => {
    const out = join(mkdtempSync(join(tmpdir(), 'scanlens-headless-')), 'analysis.ipynb');
    // The kernel lets cells reach the whole workspace (../models here); --root gives the headless run the same.
    cli(['run', sample().fsPath, '--out', out, '--root', workspaceRoot()]);
    headless = parseNotebook(readFileSync(out, 'utf8'), 'analysis.ipynb');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the sample opens with the built-in ipynb support as a jupyter-notebook of scanlens cells', async () => {
    assert.ok((await vscode.languages.getLanguages()).includes('scanlens'), 'the scanlens language is contributed');
    const notebook = await vscode.workspace.openNotebookDocument(sample());
    assert.equal(notebook.notebookType, 'jupyter-notebook');
    assert.deepEqual([...new Set(codeCells(notebook).map((c) => c.document.languageId))], ['scanlens']);
  });

  test('a notebook naming the scanlens kernelspec runs on the ScanLens kernel without picking one', async () => {
    // A copy under a new name, so no kernel choice is remembered for it.
    const copy = workspaceUri('samples', 'analysis-auto.ipynb');
    copyFileSync(sample().fsPath, copy.fsPath);
    const notebook = await vscode.workspace.openNotebookDocument(copy);
    await vscode.window.showNotebookDocument(notebook);
    const first = codeCells(notebook)[0]!;
    const since = Date.now();
    // Were the kernel not chosen already, this would open the kernel picker and never finish.
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: first.index, end: first.index + 1 }], document: notebook.uri });
    await finished([first], since);
    assert.equal(first.executionSummary?.success, true);
    assert.equal(payloads(first)[0]?.kind, 'model');
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('the ScanLens kernel runs every cell: order, mime types, provenance, values as the CLI gives them', async () => {
    const { notebook, editor } = await openAndRun(sample());
    const cells = codeCells(notebook);
    const savedCode = headless.cells.filter((c) => c.cell_type === 'code');
    assert.equal(cells.length, savedCode.length);
    cells.forEach((cell, i) => {
      assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1} failed: ${cell.outputs.map((o) => o.items.map((it) => decoder.decode(it.data)).join(' ')).join(' | ')}`);
      assert.equal(cell.executionSummary?.executionOrder, i + 1);
      const savedOutputs = savedCode[i]!.outputs as { data?: Record<string, unknown> }[];
      assert.deepEqual(
        cell.outputs.map((o) => o.items.map((it) => it.mime)),
        savedOutputs.map((o) => Object.keys(o.data ?? {})),
        `cell ${cell.index + 1}: the same mime types, in the same order, as scanlens run wrote`,
      );
      for (const output of cell.outputs) {
        const provenance = ProvenanceSchema.parse((output.metadata?.['metadata'] as Record<string, unknown> | undefined)?.['scanlens']);
        assert.equal(
          provenance.command,
          cell.document
            .getText()
            .split('\n')
            .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))[0]
            ?.trim(),
        );
      }
    });
    const png = cells.flatMap((c) => c.outputs.flatMap((o) => o.items)).find((i) => i.mime === 'image/png');
    assert.deepEqual([...png!.data.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'image/png items hold PNG bytes');

    const classify = cells.flatMap(payloads).find((p) => p.kind === 'classify');
    assert.ok(classify && classify.kind === 'classify');
    const files = classify.rows.map((r) => join(workspaceRoot(), 'samples', r.file));
    const fromCli = JSON.parse(cli(['classify', ...files, '--model', join(ROOT, 'models', 'brain-mri-demo', 'model.json'), '--json'])) as { results: { probabilities: number[] }[] };
    assert.equal(fromCli.results.length, classify.rows.length);
    classify.rows.forEach((row, i) => {
      assert.ok('probabilities' in row, `${row.file} classified`);
      row.probabilities.forEach((p, k) => assert.ok(Math.abs(p - fromCli.results[i]!.probabilities[k]!) < 1e-5, `${row.file}[${k}]: kernel ${p}, CLI ${fromCli.results[i]!.probabilities[k]}`));
    });
    await freshView();
    editor.revealRange(new vscode.NotebookRange(3, 4), vscode.NotebookEditorRevealType.AtTop);
    // Let the renderer draw the outputs before the page is photographed; nothing is asserted on time.
    await sleep(3000);
    await screenshot('notebook-outputs');
    editor.revealRange(new vscode.NotebookRange(5, 6), vscode.NotebookEditorRevealType.AtTop);
    await sleep(2000);
    await screenshot('notebook-explain');
    editor.revealRange(new vscode.NotebookRange(9, 10), vscode.NotebookEditorRevealType.AtTop);
    await sleep(2000);
    await screenshot('notebook-evaluate');
  });

  test('saved, the notebook is nbformat 4.5, matches a headless scanlens run within 1e-4, and its outputs survive reopening', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(sample());
    assert.ok(await notebook.save(), 'saved');
    const text = readFileSync(sample().fsPath, 'utf8');
    const doc = JSON.parse(text) as unknown;
    assert.deepEqual(validateNbformat(doc), []);
    const written = parseNotebook(text, 'analysis.ipynb');
    assert.equal((written.metadata['kernelspec'] as { name?: string } | undefined)?.name, 'scanlens');
    assert.deepEqual(compareNotebooks(headless, written, 1e-4), [], 'the kernel gives the numbers scanlens run gives');
    const outputs = written.cells.flatMap((c) => (c.cell_type === 'code' ? c.outputs : []));
    assert.ok(
      outputs.every((o) => o.output_type === 'display_data' && ProvenanceSchema.safeParse((o['metadata'] as Record<string, unknown>)['scanlens']).success),
      'provenance saved on every output',
    );

    // A copy is read back from disk, not from the open document.
    const copy = workspaceUri('samples', 'analysis-reopened.ipynb');
    copyFileSync(sample().fsPath, copy.fsPath);
    const reopened = await vscode.workspace.openNotebookDocument(copy);
    const before = codeCells(notebook).map((c) => c.outputs.map((o) => o.items.map((i) => [i.mime, i.mime.startsWith('image/') ? i.data.length : decoder.decode(i.data).length])));
    const after = codeCells(reopened).map((c) => c.outputs.map((o) => o.items.map((i) => [i.mime, i.mime.startsWith('image/') ? i.data.length : decoder.decode(i.data).length])));
    assert.deepEqual(
      after.map((c) => c.map((o) => o.map(([mime]) => mime))),
      before.map((c) => c.map((o) => o.map(([mime]) => mime))),
    );
    const payloadsBefore = codeCells(notebook).flatMap(payloads);
    assert.deepEqual(codeCells(reopened).flatMap(payloads), payloadsBefore);
    assert.ok(payloadsBefore.length >= 5);
  });

  test('a mistake is an error output naming the line; the kernel survives and runs the next cell', async () => {
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'classify samples/glioma-01.png\nexplain samples/glioma-01.png method=magic', 'scanlens'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'classify samples/missing.png samples/glioma-01.png', 'scanlens'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'info samples/glioma-01.png', 'scanlens'),
    ]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, ...KERNEL });
    await runAll(notebook);
    const [bad, partly, good] = codeCells(notebook);
    assert.equal(bad!.executionSummary?.success, false);
    assert.equal(bad!.outputs.length, 1, 'nothing runs before the whole cell parses');
    const error = JSON.parse(decoder.decode(bad!.outputs[0]!.items.find((i) => i.mime === ERROR_MIME)!.data)) as { name: string; message: string };
    assert.equal(error.name, 'SyntaxError');
    assert.match(error.message, /line 2.*method/);
    const rows = payloads(partly!).find((p) => p.kind === 'classify');
    assert.ok(rows && rows.kind === 'classify' && rows.rows.some((r) => 'error' in r) && rows.rows.some((r) => 'top' in r), 'a missing file is an error row, the rest is classified');
    assert.equal(good!.executionSummary?.success, true);
    assert.equal(payloads(good!)[0]?.kind, 'info');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('a shared notebook cannot read or write outside the workspace: .., absolute paths and links are refused', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'scanlens-outside-'));
    copyFileSync(join(ROOT, 'samples', 'glioma-01.png'), join(outside, 'private.png'));
    const link = join(workspaceRoot(), 'link-to-outside');
    rmSync(link, { force: true });
    symlinkSync(outside, link);
    const escape = relative(workspaceRoot(), join(outside, 'via-dots.csv'));
    const data = new vscode.NotebookData(
      [`export ${escape}`, `export ${join(outside, 'absolute.json')}`, 'export link-to-outside/via-link.csv', `info ${join(outside, 'private.png')}`, 'info link-to-outside/private.png'].map(
        (line) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, `classify samples/glioma-01.png\n${line}`, 'scanlens'),
      ),
    );
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, ...KERNEL });
    await runAll(notebook);
    try {
      for (const cell of codeCells(notebook)) {
        assert.equal(cell.executionSummary?.success, false, cell.document.getText());
        const error = JSON.parse(decoder.decode(cell.outputs.at(-1)!.items.find((i) => i.mime === ERROR_MIME)!.data)) as { message: string };
        assert.match(error.message, /(writing|reading) outside the notebook's folder( and the workspace)? is not allowed/, cell.document.getText());
      }
      assert.deepEqual(readdirSync(outside), ['private.png'], 'nothing was written outside the workspace');
    } finally {
      rmSync(link, { force: true });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('interrupting stops a long cell with a Cancelled error output; the kernel then runs the next cell', async () => {
    // Far more work than can finish before the interrupt arrives: 300 lines, one file a batch.
    const long = Array.from({ length: 300 }, () => 'classify samples/*.png batch=1').join('\n');
    const data = new vscode.NotebookData([
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, long, 'scanlens'),
      new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'info samples/glioma-01.png', 'scanlens'),
    ]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, ...KERNEL });
    const [cell, next] = codeCells(notebook);
    const since = Date.now();
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    // The progress line shows the cell is running.
    while (cell!.outputs.length === 0) await sleep(50);
    assert.match(decoder.decode(cell!.outputs[0]!.items[0]!.data), /^line \d+: classified/);
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await finished([cell!], since);
    assert.equal(cell!.executionSummary?.success, false);
    const last = cell!.outputs.at(-1)!.items[0]!;
    assert.equal(last.mime, ERROR_MIME);
    assert.equal((JSON.parse(decoder.decode(last.data)) as { name: string }).name, 'Cancelled');
    assert.ok(payloads(cell!).length < 300, 'stopped before the end');
    const again = Date.now();
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 1, end: 2 }], document: notebook.uri });
    await finished([next!], again);
    assert.equal(next!.executionSummary?.success, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('an anomaly score cell runs on the ScanLens kernel: a verdict per scan, error rows, map PNGs, the scores scanlens anomaly score gives', async () => {
    // The demo detector (with its backbone) and two demo slices, copied into the workspace.
    const detector = workspaceUri('anomaly', 'detector');
    await vscode.workspace.fs.copy(vscode.Uri.file(join(ROOT, 'models', 'brain-mri-demo-padim')), detector, { overwrite: true });
    const scans = ['lesion/glioma-01.png', 'normal/normal-01.png'];
    for (const scan of scans) await vscode.workspace.fs.copy(vscode.Uri.file(join(ROOT, 'samples', 'anomaly', scan)), workspaceUri('anomaly', scan.split('/')[1]!), { overwrite: true });
    const cell = 'anomaly score anomaly/glioma-01.png anomaly/normal-01.png anomaly/missing.png detector=anomaly/detector maps=true';
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell, 'scanlens')]));
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, ...KERNEL });
    try {
      await runAll(notebook);
      const [only] = codeCells(notebook);
      assert.equal(only!.executionSummary?.success, true, only!.outputs.map((o) => o.items.map((i) => decoder.decode(i.data)).join(' ')).join(' | '));
      const [result] = payloads(only!);
      assert.ok(result?.kind === 'anomaly' && result.subcommand === 'score');
      assert.deepEqual(
        result.rows.map((r) => [r.file, 'label' in r ? r.label : 'error']),
        [
          ['anomaly/missing.png', 'error'],
          ['anomaly/glioma-01.png', 'anomalous'],
          ['anomaly/normal-01.png', 'normal'],
        ],
      );
      const fromCli = JSON.parse(cli(['anomaly', 'score', ...scans.map((s) => join(ROOT, 'samples', 'anomaly', s)), '--detector', join(ROOT, 'models', 'brain-mri-demo-padim'), '--json'])) as {
        results: { score: number }[];
      };
      result.rows
        .slice(1)
        .forEach((row, i) => assert.ok('score' in row && Math.abs(row.score - fromCli.results[i]!.score) <= 1e-6, `${row.file}: kernel ${JSON.stringify(row)}, CLI ${fromCli.results[i]!.score}`));
      // The table (our renderer, markdown, text), the histogram by verdict, and one map PNG per scored scan.
      assert.deepEqual(
        only!.outputs.map((o) => o.items[0]!.mime),
        [SCANLENS_RESULT_MIME, 'application/vnd.plotly.v1+json', 'image/png', 'image/png'],
      );
      const png = only!.outputs[2]!.items[0]!.data;
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      await freshView();
      await sleep(2000);
      await screenshot('notebook-anomaly');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await vscode.workspace.fs.delete(workspaceUri('anomaly'), { recursive: true });
    }
  });

  test('completion offers commands, options, values and paths from the cell language specs', async () => {
    const data = new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'cl\nexplain samples/glioma-01.png method=\nclassify samp', 'scanlens')]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    await vscode.window.showNotebookDocument(notebook);
    const cell = codeCells(notebook)[0]!.document;
    const labels = async (line: number, character: number): Promise<string[]> => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cell.uri, new vscode.Position(line, character));
      return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    assert.ok((await labels(0, 2)).includes('classify'));
    const values = await labels(1, cell.lineAt(1).text.length);
    assert.ok(values.includes('gradcam++') && values.includes('occlusion'), values.join(','));
    const paths = await labels(2, cell.lineAt(2).text.length);
    assert.ok(paths.includes('samples/') && paths.includes('top='), paths.join(','));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('"New Analysis Notebook" opens example cells over the samples that run with the ScanLens kernel', async () => {
    const editor = await vscode.commands.executeCommand<vscode.NotebookEditor>('scanlens.newNotebook');
    const cells = codeCells(editor.notebook);
    assert.ok(cells.length >= 3);
    assert.ok(cells.every((c) => c.document.languageId === 'scanlens'));
    await runAll(editor.notebook);
    for (const cell of cells) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1}: ${cell.document.getText()}`);
    const kinds = cells.flatMap(payloads).map((p) => p.kind);
    assert.deepEqual(kinds, ['classify', 'explain', 'evaluate']);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

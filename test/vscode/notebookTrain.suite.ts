import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { EXTENSION_ID, ROOT, freshView, screenshot, sleep, workspaceRoot } from './helpers';

const KERNEL = { id: 'scanlens-kernel', extension: EXTENSION_ID };
const decoder = new TextDecoder();

suite('notebook train cell', () => {
  const folder = (): string => join(workspaceRoot(), 'notebook-train');

  suiteTeardown(() => rmSync(folder(), { recursive: true, force: true }));

  test('a train cell on the ScanLens kernel: the card and the cross-validation curve, and the model scanlens train writes from the same folder', async () => {
    await writeLabelledVariants(join(folder(), 'labelled'), 8, 4, 0, ROOT);
    const cell = 'train notebook-train/labelled out=notebook-train/probe';
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell, 'scanlens')]));
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, ...KERNEL });
    try {
      const since = Date.now();
      await vscode.commands.executeCommand('notebook.execute');
      const only = notebook.cellAt(0);
      while ((only.executionSummary?.timing?.endTime ?? 0) < since || only.executionSummary?.success === undefined) await sleep(100);
      const text = (mime: string): string =>
        only.outputs
          .flatMap((o) => o.items)
          .filter((i) => i.mime === mime)
          .map((i) => decoder.decode(i.data))
          .join('');
      assert.equal(only.executionSummary?.success, true, only.outputs.map((o) => o.items.map((i) => decoder.decode(i.data)).join(' ')).join(' | '));
      assert.match(text('text/plain'), /^trained notebook-train\/probe\/model\.json \(glioma, meningioma, notumor, pituitary\): validation accuracy \d+\.\d % on \d+ scans/);
      assert.match(text('text/markdown'), /^# brain-mri-demo-probe\n/);
      assert.ok(text('application/vnd.plotly.v1+json').length > 0, 'the cross-validation curve');

      // The CLI on the same folder, from the same backbone and seed: the same model bytes.
      const cliOut = join(folder(), 'cli');
      const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), 'train', join(folder(), 'labelled'), '--out', cliOut], {
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      });
      assert.equal(cli.status, 0, cli.stderr);
      for (const name of ['model.onnx', 'model.json', 'MODEL_CARD.md'])
        assert.ok(readFileSync(join(folder(), 'probe', name)).equals(readFileSync(join(cliOut, name))), `${name}: the kernel's and the CLI's differ`);
      await freshView();
      await sleep(1500);
      await screenshot('notebook-train');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  }).timeout(180_000);
});

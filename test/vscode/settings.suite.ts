import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BatchResult } from '../../src/host/classifyBatch';
import type { FileResult } from '../../src/host/classifyFile';
import type { VolumeResult } from '../../src/host/classifyVolumeFile';
import { VIEWER_QUERY_COMMAND } from '../../src/host/viewer/registerViewer';
import type { ViewerState } from '../../src/protocol/viewerMessages';
import { EXTENSION_ID, freshView, ok, screenshot, sleep, workspaceUri } from './helpers';

type Outcome = FileResult | VolumeResult | BatchResult | { error: string } | undefined;

// Each platform's onnxruntime lacks one of these: DirectML is Windows-only, Core ML macOS-only.
const LACKING = process.platform === 'win32' ? 'coreml' : 'dml';
const ERROR_MIME = 'application/vnd.code.notebook.error';

function classify(...args: unknown[]): Thenable<Outcome> {
  return vscode.commands.executeCommand('scanlens.classify', ...args);
}

function setting(name: 'scanlens.provider' | 'scanlens.threads', value: unknown): Thenable<void> {
  return vscode.workspace.getConfiguration().update(name, value, vscode.ConfigurationTarget.Workspace);
}

/** The failure a command returned: one line, naming the setting first. */
function failure(outcome: Outcome, setting: string): string {
  assert.ok(outcome && 'error' in outcome && !('kind' in outcome), `expected a failure, got ${JSON.stringify(outcome)}`);
  assert.ok(outcome.error.startsWith(`${setting}: `), outcome.error);
  assert.doesNotMatch(outcome.error, /\n/);
  return outcome.error;
}

suite('provider and threads settings', () => {
  const sample = (): vscode.Uri => workspaceUri('samples', 'glioma-01.png');

  teardown(async () => {
    await setting('scanlens.provider', undefined);
    await setting('scanlens.threads', undefined);
  });

  suiteTeardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  test('the settings are declared with the CPU and automatic threads as defaults', () => {
    const properties = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.configuration.properties;
    assert.ok(properties['scanlens.provider'].enum.includes(LACKING));
    const config = vscode.workspace.getConfiguration();
    assert.equal(config.get('scanlens.provider'), 'cpu');
    assert.equal(config.get('scanlens.threads'), 0);
  });

  test('a provider this runtime lacks: file, folder and volume fail with one line naming the setting; cpu again works at once', async () => {
    await setting('scanlens.provider', LACKING);
    await freshView(sample());
    const message = failure(await classify(sample(), [sample()]), 'scanlens.provider');
    assert.match(message, new RegExp(`^scanlens\\.provider: execution provider '${LACKING}' is not in this onnxruntime; it has: cpu(, [a-z]+)*$`));
    await screenshot('settings-provider-error');
    const folder = workspaceUri('scans');
    assert.equal(failure(await classify(folder, [folder]), 'scanlens.provider'), message);
    const volume = workspaceUri('volumes', 'ras-grid.nii');
    assert.equal(failure(await classify(volume, [volume]), 'scanlens.provider'), message);
    // No reload: the next run reads the setting again.
    await setting('scanlens.provider', 'cpu');
    const result = ok(await classify(sample()), 'classify') as FileResult;
    assert.equal(result.kind, 'file');
    assert.equal(result.runtime.provider, 'cpu');
  });

  test('threads: the next run uses the count set, with the same top class and probabilities; 0 is automatic', async () => {
    const automatic = ok(await classify(sample()), 'classify') as FileResult;
    await setting('scanlens.threads', 1);
    const one = ok(await classify(sample()), 'classify') as FileResult;
    assert.equal(one.runtime.threads, 1);
    assert.equal(one.row.top?.label, automatic.row.top?.label);
    one.row.probabilities!.forEach((p, i) => assert.ok(Math.abs(p - automatic.row.probabilities![i]!) < 1e-5, `class ${i}`));
    await setting('scanlens.threads', 0);
    const again = ok(await classify(sample()), 'classify') as FileResult;
    assert.equal(again.runtime.threads, automatic.runtime.threads);
  });

  test('an invalid thread count is one line naming the setting and the allowed range', async () => {
    await setting('scanlens.threads', -2);
    assert.equal(failure(await classify(sample()), 'scanlens.threads'), 'scanlens.threads: expected a whole number from 0 (automatic) to 256, got -2');
  });

  test('the notebook kernel: a cell fails with the same line, and runs once the setting is fixed', async () => {
    await setting('scanlens.provider', LACKING);
    const data = new vscode.NotebookData([new vscode.NotebookCellData(vscode.NotebookCellKind.Code, 'classify samples/glioma-01.png', 'scanlens')]);
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    const editor = await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: 'scanlens-kernel', extension: EXTENSION_ID });
    const cell = notebook.cellAt(0);
    const run = async (): Promise<void> => {
      const since = Date.now();
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
      while ((cell.executionSummary?.timing?.endTime ?? 0) < since || cell.executionSummary?.success === undefined) await sleep(100);
    };
    await run();
    assert.equal(cell.executionSummary?.success, false);
    const error = JSON.parse(new TextDecoder().decode(cell.outputs[0]!.items.find((i) => i.mime === ERROR_MIME)!.data)) as { message: string };
    assert.match(error.message, new RegExp(`^scanlens\\.provider: execution provider '${LACKING}' is not in this onnxruntime`));
    await setting('scanlens.provider', undefined);
    await run();
    assert.equal(cell.executionSummary?.success, true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('the scan viewer shows the same line instead of probabilities, as soon as its page runs', async function () {
    // VS Code 1.100's webview service worker can hold a new webview's page up to 30 s after another webview
    // closed while loading (the notebook above): microsoft/vscode#245756, fixed in 1.101. Only what follows is ours.
    this.timeout(90_000);
    await setting('scanlens.provider', LACKING);
    const started = performance.now();
    await vscode.commands.executeCommand('vscode.openWith', sample(), 'scanlens.viewer.image');
    const opened = performance.now() - started;
    const query = (): Promise<ViewerState | undefined> =>
      Promise.resolve(vscode.commands.executeCommand<ViewerState>(VIEWER_QUERY_COMMAND, sample(), { type: 'state' })).then(undefined, () => undefined);
    let state: ViewerState | undefined;
    while (!state && performance.now() - started < 60_000) {
      state = await query();
      if (!state) await sleep(50);
    }
    assert.ok(state, 'the viewer page never answered');
    const answered = performance.now();
    while (!state?.error && performance.now() - answered < 5_000) {
      await sleep(50);
      state = await query();
    }
    console.log(
      `[scanlens] viewer error shown ${(performance.now() - answered).toFixed(0)} ms after its page first answered, ${(answered - started).toFixed(0)} ms after vscode.openWith (opened in ${opened.toFixed(0)} ms; page script started ${state?.scriptStartMs.toFixed(0)} ms after its navigation)`,
    );
    assert.match(state?.error ?? '', new RegExp(`scanlens\\.provider: execution provider '${LACKING}' is not in this onnxruntime`));
    assert.deepEqual(state?.probabilities, []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

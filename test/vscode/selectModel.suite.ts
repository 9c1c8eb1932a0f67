import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FileResult } from '../../src/host/classifyFile';
import type { ModelChoice } from '../../src/host/selectModelCommand';
import { ROOT, freshView, ok, screenshot, sleep, workspaceRoot, workspaceUri } from './helpers';

type Outcome = ModelChoice | { error: string } | undefined;

function selectModel(arg?: unknown): Thenable<Outcome> {
  return vscode.commands.executeCommand('scanlens.selectModel', arg);
}

function modelSetting(): unknown {
  return vscode.workspace.getConfiguration().inspect('scanlens.model')?.workspaceValue;
}

suite('model selection', () => {
  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration().update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('the quick pick lists the bundled model and the workspace models', async () => {
    await freshView();
    const picking = selectModel();
    // Let the quick pick render before photographing it, then dismiss it like Escape.
    await sleep(1500);
    await screenshot('select-model-quick-pick');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await picking, undefined);
  });

  test('a workspace .onnx becomes the setting (relative) and classify uses it', async () => {
    const tiny = workspaceUri('models', 'tiny', 'tiny-labels.onnx');
    const choice = ok(await selectModel(tiny), 'select model') as ModelChoice;
    assert.equal(choice.bundled, false);
    assert.equal(choice.path, tiny.fsPath);
    assert.equal(modelSetting(), 'models/tiny/tiny-labels.onnx');
    await freshView(workspaceUri('scans', 'rgb8.png'));
    const result = ok(await vscode.commands.executeCommand<FileResult>('scanlens.classify', workspaceUri('scans', 'rgb8.png')), 'classify');
    assert.equal(result.model.name, choice.name);
    assert.ok(Array.isArray(result.model.assumptions), 'a bare .onnx reports its guesses');
    await screenshot('status-bar-workspace-model');
  });

  test('a broken manifest is one clear message and does not become the setting', async () => {
    const before = modelSetting();
    const broken = join(workspaceRoot(), 'models', 'broken', 'model.json');
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(join(broken, '..')));
    writeFileSync(broken, JSON.stringify({ schema: 'scanlens.model/1', name: 'broken', labels: 'not a list' }));
    const outcome = await selectModel(broken);
    assert.ok(outcome && 'error' in outcome, 'expected a failure');
    assert.match(outcome.error, /model\.json/);
    assert.doesNotMatch(outcome.error, /\n/);
    assert.equal(modelSetting(), before);
  });

  test('choosing the bundled model clears the setting', async () => {
    const bundled = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
    const extension = vscode.extensions.getExtension('scanlens.scanlens')!;
    const choice = ok(await selectModel(join(extension.extensionPath, 'models', 'brain-mri-demo', 'model.json')), 'select model') as ModelChoice;
    assert.equal(choice.bundled, true);
    assert.equal(choice.path, bundled);
    assert.equal(modelSetting(), undefined);
  });
});

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FileResult } from '../../src/host/classifyFile';
import type { ModelChoice } from '../../src/host/selectModelCommand';
import { freshView, ok, screenshot, workspaceRoot, workspaceUri } from './helpers';

/**
 * Runs only when the host opened the workspace untrusted (the runner's second
 * code-server, with workspace trust on and the startup prompt off). The folder's
 * .vscode/settings.json names a workspace model; it must not be loaded.
 */
suite('restricted mode', () => {
  test('the workspace really is untrusted, and its model and provider settings are withheld', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const settings = JSON.parse(readFileSync(join(workspaceRoot(), '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(settings['scanlens.model'], 'models/tiny/tiny-labels.onnx');
    assert.equal(settings['scanlens.provider'], 'dml');
    // Both are restricted configurations: VS Code withholds the workspace's values.
    assert.equal(vscode.workspace.getConfiguration().inspect('scanlens.model')?.workspaceValue, undefined);
    assert.equal(vscode.workspace.getConfiguration().inspect('scanlens.provider')?.workspaceValue, undefined);
    assert.equal(vscode.workspace.getConfiguration().get('scanlens.provider'), 'cpu');
  });

  test('classify uses the bundled model on the CPU and says why', async () => {
    await freshView(workspaceUri('scans', 'rgb8.png'));
    const result = ok(await vscode.commands.executeCommand<FileResult>('scanlens.classify', workspaceUri('scans', 'rgb8.png')), 'classify');
    assert.equal(result.model.name, 'brain-mri-demo');
    assert.equal(result.runtime.provider, 'cpu');
    assert.match(result.notice ?? '', /Restricted Mode.*bundled model/);
    await screenshot('restricted-mode-warning');
  });

  test('Select Model keeps the bundled model', async () => {
    const choice = ok(await vscode.commands.executeCommand<ModelChoice>('scanlens.selectModel', workspaceUri('models', 'tiny', 'tiny-labels.onnx')), 'select model');
    assert.equal(choice.restricted, true);
    assert.equal(choice.bundled, true);
  });
});

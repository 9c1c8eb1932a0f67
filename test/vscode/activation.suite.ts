import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ScanLensApi } from '../../src/host/extension';
import { EXTENSION_ID } from './helpers';

/** Native modules that must stay unloaded until the first inference. */
function nativeModulesLoaded(): string[] {
  return Object.keys(require.cache).filter((path) => /[\\/](onnxruntime-node|sharp|@img)[\\/]/.test(path));
}

suite('activation', () => {
  test('activates on demand, registers the commands, loads no native module', async () => {
    const extension = vscode.extensions.getExtension<ScanLensApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this host`);
    assert.equal(extension.isActive, false, 'nothing should activate ScanLens before one of its commands runs');
    const started = performance.now();
    const api = await extension.activate();
    const wallMs = performance.now() - started;
    // Reported, not asserted: timings vary by machine. Between our module running and
    // activate() being called, VS Code builds the extension context (storage, secrets).
    const load = api.moduleStartedAt - started;
    const context = api.activateCalledAt - api.moduleStartedAt;
    console.log(
      `[scanlens] activation: ${wallMs.toFixed(1)} ms wall = ${load.toFixed(1)} ms loading dist/extension.js + ` +
        `${context.toFixed(1)} ms VS Code preparing the context + ${api.activationMs.toFixed(1)} ms activate()`,
    );
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['scanlens.classify', 'scanlens.selectModel', 'scanlens.train', 'scanlens.showVersion']) assert.ok(commands.includes(id), `${id} is not registered`);
    assert.deepEqual(nativeModulesLoaded(), []);
  });

  test('Show Version answers with the package version', async () => {
    const version = await vscode.commands.executeCommand<string>('scanlens.showVersion');
    assert.equal(version, vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON.version);
  });
});

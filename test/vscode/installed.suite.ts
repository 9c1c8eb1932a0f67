import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FileResult } from '../../src/host/classifyFile';
import { EXTENSION_ID, freshView, ok, screenshot, workspaceRoot, workspaceUri } from './helpers';

/**
 * Runs when ScanLens comes from the linux-x64 .vsix installed with
 * `code-server --install-extension` (the runner's third host).
 */
suite('installed from the .vsix', () => {
  test('the package holds no sources or tests, and only linux-x64 binaries', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    const root = extension.extensionPath;
    for (const absent of ['src', 'test', 'scripts', join('dist', 'test'), join('dist', 'cli.js')]) {
      assert.equal(existsSync(join(root, absent)), false, `${absent} should not be packaged`);
    }
    const ortBinaries = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    assert.deepEqual(readdirSync(ortBinaries), ['linux']);
    assert.deepEqual(readdirSync(join(ortBinaries, 'linux')), ['x64']);
    assert.deepEqual(
      readdirSync(join(root, 'node_modules', '@img'))
        .filter((d) => d.startsWith('sharp-'))
        .sort(),
      ['sharp-libvips-linux-x64', 'sharp-linux-x64'],
    );
  });

  test('activates and classifies a sample with the bundled model', async () => {
    const sample = readdirSync(join(workspaceRoot(), 'samples'))
      .filter((f) => f.endsWith('.png'))
      .sort()[0];
    assert.ok(sample, 'the workspace has no samples/*.png');
    const uri = workspaceUri('samples', sample);
    await freshView(uri);
    const result = ok(await vscode.commands.executeCommand<FileResult>('scanlens.classify', uri), 'classify');
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(result.model.name, 'brain-mri-demo');
    assert.equal(result.row.error, undefined);
    assert.ok(result.row.top && result.row.labels?.includes(result.row.top.label));
    await screenshot('installed-vsix-classify');
  });
});

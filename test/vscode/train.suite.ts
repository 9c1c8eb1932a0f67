import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FileResult } from '../../src/host/classifyFile';
import type { TrainOutcome } from '../../src/host/trainCommand';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { ROOT, freshView, ok, screenshot, workspaceRoot } from './helpers';

suite('train a classifier from the explorer', () => {
  const folder = (): string => join(workspaceRoot(), 'labelled');

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration().update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
    rmSync(folder(), { recursive: true, force: true });
    rmSync(join(workspaceRoot(), 'scanlens-models'), { recursive: true, force: true });
  });

  test('a labelled folder: progress, a new model with the numbers of scanlens train --json, selected and used by classify', async () => {
    await writeLabelledVariants(folder(), 12, 9, 5, ROOT);
    await freshView(vscode.Uri.file(folder()));
    const outcome = ok(await vscode.commands.executeCommand('scanlens.train', vscode.Uri.file(folder()), { select: true }), 'train') as TrainOutcome;
    await screenshot('train-folder-done');
    assert.equal(outcome.kind, 'train');
    assert.ok(outcome.selected);
    const out = join(workspaceRoot(), 'scanlens-models', 'labelled-probe');
    assert.equal(outcome.result.manifestPath, join(out, 'model.json'));
    assert.deepEqual(readdirSync(out).sort(), ['MODEL_CARD.md', 'model.json', 'model.onnx', 'training-log.json']);
    assert.match(outcome.message, /^Trained labelled-probe on brain-mri-demo: validation accuracy \d+\.\d % on \d+ scans\.$/);

    // The CLI on the same folder, from the same backbone and seed: the same model bytes and the same numbers.
    const cliOut = join(workspaceRoot(), 'scanlens-models', 'cli');
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), 'train', folder(), '--out', cliOut, '--json'], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = JSON.parse(cli.stdout) as { validation: unknown; train: unknown; strength: unknown; calibration: unknown };
    assert.deepEqual(
      { validation: outcome.result.validation, train: outcome.result.train, strength: outcome.result.strength, calibration: outcome.result.calibration },
      { validation: fromCli.validation, train: fromCli.train, strength: fromCli.strength, calibration: fromCli.calibration },
    );
    assert.ok(readFileSync(join(out, 'model.onnx')).equals(readFileSync(join(cliOut, 'model.onnx'))), 'the same model bytes');

    // Selected: right-click classify now runs the probe.
    const scan = vscode.Uri.file(join(folder(), 'notumor', 'notumor-000.png'));
    const classified = ok(await vscode.commands.executeCommand('scanlens.classify', scan, [scan]), 'classify') as FileResult;
    assert.equal(classified.model.name, 'brain-mri-demo-probe');
  }).timeout(120_000);

  test('fine-tuning passed through: the last block and the head trained, epochs in the ScanLens output, the blocks and epochs scanlens train --finetune-blocks reports', async () => {
    // Back to the bundled demo model (the test above selected its probe), the CLI's default backbone.
    await vscode.workspace.getConfiguration().update('scanlens.model', undefined, vscode.ConfigurationTarget.Workspace);
    const outcome = ok(await vscode.commands.executeCommand('scanlens.train', vscode.Uri.file(folder()), { select: false, fineTune: { blocks: 1, epochs: 2 } }), 'train') as TrainOutcome;
    assert.ok(!outcome.selected);
    const out = join(workspaceRoot(), 'scanlens-models', 'labelled-finetuned');
    assert.equal(outcome.result.manifestPath, join(out, 'model.json'));
    assert.equal(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).name, 'brain-mri-demo-finetuned');
    const tuned = outcome.result.fineTune;
    assert.ok(tuned);
    assert.equal(tuned.history.length, 3);
    const cli = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'scanlens.js'), 'train', folder(), '--out', join(workspaceRoot(), 'scanlens-models', 'cli-tuned'), '--finetune-blocks', '1', '--epochs', '2', '--json'],
      {
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      },
    );
    assert.equal(cli.status, 0, cli.stderr);
    const fromCli = JSON.parse(cli.stdout) as { fineTune: { blocks: string[]; settings: unknown } };
    assert.deepEqual({ blocks: tuned.blocks, settings: tuned.settings }, { blocks: fromCli.fineTune.blocks, settings: fromCli.fineTune.settings });
  }).timeout(120_000);

  test('a folder with one class: one error notification naming it, nothing written', async () => {
    const lonely = join(workspaceRoot(), 'labelled', 'glioma');
    const outcome = (await vscode.commands.executeCommand('scanlens.train', vscode.Uri.file(lonely), { select: false })) as { error: string };
    assert.match(outcome.error, /no class folders with scans inside|only one class/);
  });
});

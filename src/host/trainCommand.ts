import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { ScanLensError } from '../core/errors';
import { trainJob, type TrainResult } from '../core/jobs/trainJob';
import { guarded, type CommandFailure } from './commandOutcome';
import { loadActiveModel } from './loadActiveModel';
import type { OutputLog } from './outputLog';

/** The model folder a training run writes, beside the other results of the workspace. */
export const MODEL_FOLDER = 'scanlens-models';

/**
 * Tests and other commands pass the labelled folder and whether to select
 * the new model, instead of pickers and buttons, and may ask for fine-tuning
 * (the train job's fineTune settings: blocks, and optionally epochs,
 * batchSize, learningRate, weightDecay, patience).
 */
const FineTuneSchema = z.strictObject({
  blocks: z.number().int().min(1),
  epochs: z.number().int().min(1).optional(),
  batchSize: z.number().int().min(1).optional(),
  learningRate: z.number().gt(0).lt(1).optional(),
  weightDecay: z.number().min(0).lt(1).optional(),
  patience: z.number().int().min(1).optional(),
});
const ArgsSchema = z
  .tuple([z.custom<vscode.Uri>((v) => v instanceof vscode.Uri).optional(), z.strictObject({ select: z.boolean(), fineTune: FineTuneSchema.optional() }).optional()])
  .rest(z.unknown());

export interface TrainOutcome {
  readonly kind: 'train';
  readonly result: Omit<TrainResult, 'head'>;
  readonly message: string;
  readonly selected: boolean;
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    title: 'ScanLens: folder of labelled scans (one sub-folder per class)',
    openLabel: 'Train',
  });
  return picked?.[0];
}

/** A person running the command chooses a linear probe or fine-tuning of the last few blocks (the train job's defaults otherwise). */
async function pickTraining(): Promise<{ blocks: number } | undefined> {
  const fine = (blocks: number): vscode.QuickPickItem & { blocks: number } => ({
    label: `Fine-tune the last ${blocks === 1 ? 'block' : `${blocks} blocks`}`,
    description: `the probe's head and the last ${blocks === 1 ? 'block' : `${blocks} blocks`} before it: AdamW on augmented batches, stopping on the validation loss (minutes)`,
    blocks,
  });
  return vscode.window.showQuickPick([{ label: 'Linear probe', description: "a new head on the active model's embedding (seconds)", blocks: 0 }, fine(1), fine(2), fine(4)], {
    title: 'ScanLens: how to train',
  });
}

/** A fresh folder under scanlens-models/ named for the labelled folder: name, name-2, … */
function outFolder(labelled: vscode.Uri, kind: 'probe' | 'finetuned'): string {
  const root = vscode.workspace.getWorkspaceFolder(labelled)?.uri.fsPath ?? join(labelled.fsPath, '..');
  const base = join(root, MODEL_FOLDER, `${basename(labelled.fsPath)}-${kind}`);
  let candidate = base;
  for (let n = 2; existsSync(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * "ScanLens: Train Classifier on Folder…": a linear probe on the active
 * model, or (chosen from a quick pick, or passed as options) the probe
 * fine-tuned — the train job —, under a cancellable progress notification,
 * ending with the card's numbers and an offer to select the new model.
 */
export function trainCommand(context: vscode.ExtensionContext, log: OutputLog) {
  return (...args: unknown[]): Promise<TrainOutcome | CommandFailure | undefined> =>
    guarded('train', log, async () => {
      const parsed = ArgsSchema.safeParse(args);
      if (!parsed.success)
        throw new ScanLensError('scanlens.train takes a folder and, optionally, { select: boolean, fineTune?: { blocks, epochs?, batchSize?, learningRate?, weightDecay?, patience? } }');
      const [given, options] = parsed.data;
      let fineTune = options?.fineTune;
      const labelled = given ?? (await pickFolder());
      if (!labelled) return undefined;
      if (!options) {
        const how = await pickTraining();
        if (!how) return undefined;
        fineTune = how.blocks > 0 ? { blocks: how.blocks } : undefined;
      }
      const { model, notice } = await loadActiveModel(context, log);
      const out = outFolder(labelled, fineTune ? 'finetuned' : 'probe');
      const shown = vscode.workspace.asRelativePath(labelled, false);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ScanLens: training on ${shown}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await trainJob(model, {
            labelled: labelled.fsPath,
            out,
            signal: controller.signal,
            ...(fineTune ? { fineTune } : {}),
            onEpoch: (r, epochs) =>
              log.line(
                `train: epoch ${r.epoch}/${epochs}: training loss ${r.trainLoss.toFixed(4)}, validation loss ${r.validationLoss.toFixed(4)}, validation accuracy ${(r.validationAccuracy * 100).toFixed(1)} %`,
              ),
            onProgress: (done, total, stage) => {
              const percent = (100 * done) / Math.max(1, total);
              progress.report({ message: `${stage}: ${done}/${total}`, increment: percent - reported });
              reported = done === total ? 0 : percent;
            },
          });
        } finally {
          cancel.dispose();
        }
      });
      for (const { error } of result.errors) log.line(`train: ${error}`);
      const { head: _head, ...summary } = result;
      const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
      const failed = result.errors.length > 0 ? ` ${result.errors.length} scan(s) could not be read (see the ScanLens output).` : '';
      const message = `Trained ${basename(out)} on ${model.manifest.name}: validation accuracy ${pct(result.validation.accuracy)} on ${result.validation.images} scans.${failed}${notice ? ` ${notice}` : ''}`;
      log.line(`train: ${message} Wrote ${result.manifestPath}.`);
      const choice = options ? (options.select ? 'Select Model' : undefined) : await vscode.window.showInformationMessage(message, 'Select Model', 'Open Card');
      if (choice === 'Open Card') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(result.cardPath));
      const selected = choice === 'Select Model';
      if (selected) await vscode.commands.executeCommand('scanlens.selectModel', result.manifestPath);
      return { kind: 'train', result: summary, message, selected };
    });
}

import { resolve } from 'node:path';
import * as vscode from 'vscode';
import { ScanLensError } from '../../core/errors';
import { isInside, realPathOf } from '../../core/io/containment';
import { NotebookSession, type RuntimeChoice } from '../../notebook/executor/notebookSession';
import type { LoadedModel } from '../../core/model/loadModel';
import { activeModel, bundledModelPath } from '../activeModel';
import type { InferenceSettings } from '../inferenceSettings';
import { notebookBaseDir } from './notebookBaseDir';

/**
 * In Restricted Mode a `model` line may name only the bundled model: a
 * workspace model is code-like input, as for every other ScanLens command.
 */
class RestrictedSession extends NotebookSession {
  constructor(
    options: ConstructorParameters<typeof NotebookSession>[0],
    private readonly bundled: string,
    private readonly bundledModels: string,
  ) {
    super(options);
  }

  /** A detector or backbone (`anomaly ... detector=`, `backbone=`) only from the bundled models, as for `model` lines. */
  override async checkRunnable(path: string, shown: string): Promise<void> {
    if (!isInside(await realPathOf(this.bundledModels), await realPathOf(path))) {
      throw new ScanLensError('Restricted Mode: a notebook runs only the bundled models until you trust this workspace', shown);
    }
  }

  override useModel(path: string, choice?: RuntimeChoice): Promise<LoadedModel> {
    if (resolve(path) !== resolve(this.bundled)) {
      return Promise.reject(new Error('Restricted Mode: a notebook runs only the bundled model until you trust this workspace'));
    }
    return super.useModel(path, choice);
  }
}

/**
 * One session per notebook (its current model and last table), started on the
 * extension's active model, provider and threads. Changing any of them or
 * trusting the folder starts a fresh session, as restarting a kernel would.
 */
export class NotebookSessions {
  private readonly sessions = new Map<string, { readonly key: string; readonly session: NotebookSession }>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  get(notebook: vscode.NotebookDocument, runtime: InferenceSettings): NotebookSession {
    const active = activeModel(this.context);
    const baseDir = notebookBaseDir(notebook);
    // Cells may touch the notebook's folder and the workspace's folders, nothing else.
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const key = JSON.stringify([active.path, vscode.workspace.isTrusted, baseDir, roots, runtime.provider, runtime.threads]);
    const existing = this.sessions.get(notebook.uri.toString());
    if (existing?.key === key) return existing.session;
    const options = { baseDir, roots, readOnlyRoots: [this.context.asAbsolutePath('models')], defaultModelPath: active.path, ...runtime };
    const session = vscode.workspace.isTrusted ? new NotebookSession(options) : new RestrictedSession(options, bundledModelPath(this.context), this.context.asAbsolutePath('models'));
    this.sessions.set(notebook.uri.toString(), { key, session });
    return session;
  }

  forget(notebook: vscode.NotebookDocument): void {
    this.sessions.delete(notebook.uri.toString());
  }
}

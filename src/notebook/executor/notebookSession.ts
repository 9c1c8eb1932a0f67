import type { LoadedModel } from '../../core/model/loadModel';
import { getModel } from '../../core/model/modelCache';
import type { Table } from '../../protocol/notebookResult';

export interface SessionOptions {
  /** The notebook's folder: cell paths resolve against it and outputs show paths relative to it. */
  readonly baseDir: string;
  /** The model used until a `model` line names another (the CLI: the bundled demo; the host: the active model). */
  readonly defaultModelPath: string;
  readonly threads?: number;
}

/**
 * What a notebook remembers between cells: the current model and the last
 * table (for `export`). Models come from the shared cache, so the extension's
 * other commands and the notebook use the same sessions.
 */
export class NotebookSession {
  private modelPath: string;
  private threads: number | undefined;
  lastTable: { readonly name: string; readonly table: Table } | undefined;

  constructor(readonly options: SessionOptions) {
    this.modelPath = options.defaultModelPath;
    this.threads = options.threads;
  }

  get baseDir(): string {
    return this.options.baseDir;
  }

  /** Switches model: loads it now so a bad model fails on its own line. */
  async useModel(path: string, threads: number | undefined): Promise<LoadedModel> {
    const model = await getModel(path, this.modelOptions(threads));
    this.modelPath = path;
    this.threads = threads ?? this.threads;
    return model;
  }

  model(): Promise<LoadedModel> {
    return getModel(this.modelPath, this.modelOptions(this.threads));
  }

  private modelOptions(threads: number | undefined): { threads?: number } {
    const t = threads ?? this.threads;
    return t !== undefined ? { threads: t } : {};
  }
}

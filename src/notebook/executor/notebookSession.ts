import type { LoadedModel } from '../../core/model/loadModel';
import { getModel } from '../../core/model/modelCache';
import type { Table } from '../../protocol/notebookResult';

/** How models run: what a `model` line may set besides the path. */
export interface RuntimeChoice {
  readonly threads?: number;
  /** onnxruntime execution provider ('cpu' when unset). */
  readonly provider?: string;
}

export interface SessionOptions extends RuntimeChoice {
  /** The notebook's folder: cell paths resolve against it and outputs show paths relative to it. */
  readonly baseDir: string;
  /** The model used until a `model` line names another (the CLI: the bundled demo; the host: the active model). */
  readonly defaultModelPath: string;
}

/**
 * What a notebook remembers between cells: the current model, how it runs,
 * and the last table (for `export`). Models come from the shared cache, so the
 * extension's other commands and the notebook use the same sessions.
 */
export class NotebookSession {
  private modelPath: string;
  private runtime: RuntimeChoice;
  lastTable: { readonly name: string; readonly table: Table } | undefined;

  constructor(readonly options: SessionOptions) {
    this.modelPath = options.defaultModelPath;
    this.runtime = { threads: options.threads, provider: options.provider };
  }

  get baseDir(): string {
    return this.options.baseDir;
  }

  /** Switches model: loads it now so a bad model fails on its own line. What the line leaves unset stays as it was. */
  async useModel(path: string, choice: RuntimeChoice = {}): Promise<LoadedModel> {
    const runtime = { threads: choice.threads ?? this.runtime.threads, provider: choice.provider ?? this.runtime.provider };
    const model = await getModel(path, runtime);
    this.modelPath = path;
    this.runtime = runtime;
    return model;
  }

  model(): Promise<LoadedModel> {
    return getModel(this.modelPath, this.runtime);
  }
}

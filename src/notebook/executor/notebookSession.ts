import type { AnomalyScorer } from '../../core/anomaly/scorer';
import { PathScope } from '../../core/io/containment';
import type { LoadedModel } from '../../core/model/loadModel';
import { getModel } from '../../core/model/modelCache';
import type { Table } from '../../protocol/notebookResult';
import { displayPath, resolvePath } from './resolveInputs';

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
  /** Folders besides baseDir that cells may read and write (the VS Code workspace's). */
  readonly roots?: readonly string[];
  /** Folders cells may read but not write: ScanLens' bundled models. */
  readonly readOnlyRoots?: readonly string[];
  /** True for `scanlens run --check`: commands that write files check and count but write nothing. */
  readonly dryRun?: boolean;
}

/** A path a cell named: absolute, and as outputs show it. */
export interface CellPath {
  readonly path: string;
  readonly file: string;
}

/** A detector `anomaly fit` left in memory: its scorer, and its folder as outputs name it (null when it was not saved). */
export interface FittedDetectorRecord {
  readonly scorer: AnomalyScorer;
  readonly shown: string | null;
}

/**
 * What a notebook remembers between cells: the current model, how it runs,
 * the last table (for `export`) and the detectors `anomaly fit` made. Models come from the shared cache, so the
 * extension's other commands and the notebook use the same sessions.
 */
export class NotebookSession {
  private modelPath: string;
  private runtime: RuntimeChoice;
  lastTable: { readonly name: string; readonly table: Table } | undefined;
  /**
   * Detectors fitted by this notebook: the last one (what `anomaly score`
   * without detector= uses), and, under `run --check` where fit writes
   * nothing, each by the folder it would have been saved as, so later lines
   * naming that folder score against it.
   */
  readonly fitted: { last?: FittedDetectorRecord; readonly unsaved: Map<string, FittedDetectorRecord> } = { unsaved: new Map() };
  private scopeOnce: Promise<PathScope> | undefined;

  constructor(readonly options: SessionOptions) {
    this.modelPath = options.defaultModelPath;
    this.runtime = { threads: options.threads, provider: options.provider };
  }

  get baseDir(): string {
    return this.options.baseDir;
  }

  /** The folders cells may touch, links resolved once per session. */
  scope(): Promise<PathScope> {
    this.scopeOnce ??= PathScope.of([this.options.baseDir, ...(this.options.roots ?? [])], this.options.readOnlyRoots);
    return this.scopeOnce;
  }

  /** A path a cell reads: resolved against the notebook and refused outside the scope. */
  async readPath(arg: string): Promise<CellPath> {
    const path = resolvePath(this.baseDir, arg);
    const file = displayPath(this.baseDir, path);
    await (await this.scope()).readable(path, file);
    return { path, file };
  }

  /** A path a cell writes: inside the scope, and a new or regular file. */
  async writePath(arg: string): Promise<CellPath> {
    const path = resolvePath(this.baseDir, arg);
    const file = displayPath(this.baseDir, path);
    await (await this.scope()).writable(path, file);
    return { path, file };
  }

  /**
   * Throws unless this session may run the model or detector at `path`
   * (`backbone=`, `detector=`): any, except in Restricted Mode, where the
   * host allows only the bundled ones.
   */
  async checkRunnable(_path: string, _shown: string): Promise<void> {}

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

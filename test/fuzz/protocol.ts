/** What the fuzz harness and its child process say to each other. */

export type FailureKind = 'error' | 'hang' | 'crash' | 'memory';

export interface ChildConfig {
  readonly target: string;
  readonly seed: number;
  /** First iteration to run, and one past the last. */
  readonly start: number;
  readonly end: number;
  /** Wall-clock ms this child may spend on inputs, counted from when it is ready (start-up is not charged). */
  readonly budgetMs: number;
  readonly workDir: string;
  readonly failuresDir: string;
  readonly rssCapMb: number;
  /** Replays one saved input instead of generating inputs. */
  readonly replay?: string;
}

export interface FailureRecord {
  readonly target: string;
  readonly seed: number;
  readonly iteration: number;
  readonly seedFile: string;
  readonly kind: FailureKind;
  readonly reason: string;
  /** The saved input: replay with `npm run fuzz -- --replay FILE`. */
  readonly input: string;
}

export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'start'; readonly iteration: number; readonly seedFile: string }
  | { readonly type: 'failure'; readonly failure: FailureRecord }
  | { readonly type: 'done'; readonly next: number };

/** Exit code of a child that stopped itself after an input grew memory past the cap. */
export const EXIT_MEMORY = 3;

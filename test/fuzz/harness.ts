import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths';
import { EXIT_MEMORY, type ChildConfig, type ChildMessage, type FailureRecord } from './protocol';

/**
 * Drives fuzz children: starts one per target (and a fresh one after a hang,
 * crash or memory failure, from the next input), watches each input against
 * the hang bound, and saves the inputs that crashed or hung the child.
 */

export const FAILURES_DIR = join(ROOT, '.cache', 'fuzz-failures');
const CHILD = join(__dirname, 'child.ts');
/** Loading tsx, sharp and the codecs before the first input may take this long on a busy 2-core machine. */
const STARTUP_LIMIT_MS = 60_000;
/** Start-up is not charged to the budget, so restarts after hangs or crashes are capped instead. */
const MAX_CHILDREN = 20;

export interface CampaignOptions {
  readonly seed: number;
  /** Wall-clock budget for this target's inputs, ms (child start-up is not charged). */
  readonly budgetMs: number;
  /** Most inputs to run (the budget usually ends the run first). */
  readonly maxIterations: number;
  /** An input running longer than this is a hang (a correctness bound, not a speed claim). */
  readonly hangMs: number;
  readonly rssCapMb: number;
  readonly failuresDir?: string;
}

export interface CampaignResult {
  readonly target: string;
  readonly inputs: number;
  readonly failures: FailureRecord[];
}

interface ChildOutcome {
  /** Where the next child should start; undefined when the campaign is complete. */
  readonly next: number | undefined;
  readonly ran: number;
  /** Ms from the child's first input to its end: what it used of the budget. */
  readonly spentMs: number;
}

function runChild(config: ChildConfig, hangMs: number, failures: FailureRecord[]): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let current: { iteration: number; seedFile: string; since: number } | undefined;
    let ready = false;
    let readyAt = 0;
    let done: number | undefined;
    let ran = 0;
    let killedFor: 'hang' | 'startup' | undefined;
    const started = Date.now();
    const watchdog = setInterval(() => {
      if (!ready && Date.now() - started > STARTUP_LIMIT_MS) killedFor = 'startup';
      else if (current && Date.now() - current.since > hangMs) killedFor = 'hang';
      else return;
      child.kill('SIGKILL');
    }, 50);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        ready = true;
        readyAt = Date.now();
      } else if (message.type === 'start') {
        current = { iteration: message.iteration, seedFile: message.seedFile, since: Date.now() };
        ran++;
      } else if (message.type === 'failure') failures.push(message.failure);
      else done = message.next;
    });
    child.on('exit', (code, signal) => {
      clearInterval(watchdog);
      const spentMs = ready ? Date.now() - readyAt : 0;
      if (done !== undefined) return resolve({ next: undefined, ran, spentMs });
      if (!current)
        return reject(new Error(`fuzz child for ${config.target} ${killedFor === 'startup' ? 'did not start in time' : `exited before its first input (${signal ?? code})`}: ${stderr.trim()}`));
      const next = current.iteration + 1;
      if (code === EXIT_MEMORY) return resolve({ next, ran, spentMs });
      const kind = killedFor === 'hang' ? 'hang' : 'crash';
      const reason = kind === 'hang' ? `no result after ${hangMs} ms` : `process ended (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      failures.push(saveStuck(config, current.iteration, current.seedFile, kind, reason));
      resolve({ next, ran, spentMs });
    });
  });
}

/** The child cannot save the input it hung or crashed on; the harness copies it from the child's work folder. */
function saveStuck(config: ChildConfig, iteration: number, seedFile: string, kind: 'hang' | 'crash', reason: string): FailureRecord {
  mkdirSync(config.failuresDir, { recursive: true });
  const input = join(config.failuresDir, `${config.target}-seed${config.seed}-i${iteration}.bin`);
  const source = join(config.workDir, 'fuzz-input');
  if (existsSync(source)) copyFileSync(source, input);
  else writeFileSync(input, '');
  const failure: FailureRecord = { target: config.target, seed: config.seed, iteration, seedFile, kind, reason, input };
  writeFileSync(input.replace(/\.bin$/, '.json'), `${JSON.stringify(failure, null, 2)}\n`);
  return failure;
}

/** Runs one target's campaign to its budget or iteration count. */
export async function fuzzTarget(target: string, options: CampaignOptions): Promise<CampaignResult> {
  const failures: FailureRecord[] = [];
  const workDir = mkdtempSync(join(tmpdir(), `scanlens-fuzz-${target}-`));
  let next: number | undefined = 0;
  let inputs = 0;
  let spentMs = 0;
  let children = 0;
  try {
    while (next !== undefined && next < options.maxIterations && spentMs < options.budgetMs && children++ < MAX_CHILDREN) {
      const budgetMs = options.budgetMs - spentMs;
      const config: ChildConfig = {
        target,
        seed: options.seed,
        start: next,
        end: options.maxIterations,
        budgetMs,
        workDir,
        failuresDir: options.failuresDir ?? FAILURES_DIR,
        rssCapMb: options.rssCapMb,
      };
      const outcome = await runChild(config, options.hangMs, failures);
      inputs += outcome.ran;
      spentMs += outcome.spentMs;
      next = outcome.next;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { target, inputs, failures };
}

/** Replays one saved input in a child, under the same hang bound; resolves with the child's verdict line. */
export function replayInput(target: string, input: string, hangMs: number): Promise<{ ok: boolean; report: string }> {
  const workDir = mkdtempSync(join(tmpdir(), 'scanlens-fuzz-replay-'));
  const config: ChildConfig = { target, seed: 0, start: 0, end: 0, budgetMs: 0, workDir, failuresDir: FAILURES_DIR, rssCapMb: 0, replay: input };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Module loading is not timed; the input gets the hang bound from the moment it starts.
    let hung = false;
    let timer = setTimeout(() => child.kill('SIGKILL'), STARTUP_LIMIT_MS);
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'start') return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, hangMs);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      rmSync(workDir, { recursive: true, force: true });
      if (hung) resolve({ ok: false, report: `still fails: no result after ${hangMs} ms (hang)` });
      else if (signal) resolve({ ok: false, report: `still fails: process ended by ${signal} ${output.trim()}`.trim() });
      else resolve({ ok: code === 0, report: output.trim() });
    });
  });
}

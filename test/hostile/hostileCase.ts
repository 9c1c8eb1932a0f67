import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { terminalText } from '../../src/core/text/escape';
import { ROOT } from '../helpers/paths';

/*
 * The hostile-input suite's case table (issue 20, "Untrusted input stays
 * contained"). A case builds its input in a fresh temporary folder, runs the
 * built CLI on it as a child process and states what a user must see. Every
 * case is also held to the same bounds: it ends by itself within
 * MAX_SECONDS, its peak RSS (all threads of the CLI's process, measured by
 * the peakRss.mjs preload) stays under MAX_RSS_MB, and neither stream carries
 * a stack trace, an unhandled error event or a raw ESC.
 *
 * Adding a case is adding one HostileCase to a family's list (one file per
 * family in this folder, listed in hostileSet.test.ts).
 */

export const MAX_SECONDS = 10;
export const MAX_RSS_MB = 1536;
/** A child still running after this long is killed (status null): a hang fails its case without stalling the suite. */
const KILL_AFTER_MS = 25_000;

/** The checkout whose built CLI meets the cases: this one, or another (SCANLENS_HOSTILE_CHECKOUT, e.g. an older main) to see which cases it fails. */
const CHECKOUT = process.env.SCANLENS_HOSTILE_CHECKOUT ?? ROOT;
export const CLI = join(CHECKOUT, 'bin', 'scanlens.js');
const PRELOAD = pathToFileURL(join(ROOT, 'test', 'hostile', 'peakRss.mjs')).href;
/** The sample every batch case classifies beside its hostile input; its row must come out as when it is classified alone. */
export const GOOD_SAMPLE = join(ROOT, 'samples', 'glioma-01.png');
export const GOOD = 'good.png';

/** How to run the CLI on a case's input. */
export interface HostileRun {
  /** Arguments after `scanlens`. */
  readonly args: readonly string[];
  /** Node's own arguments instead of the CLI and `args` (the harness's self-test). */
  readonly node?: readonly string[];
  /** Working folder (default: the case's folder). */
  readonly cwd?: string;
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run as this user (the peak-RSS file is made writable for it). */
  readonly uid?: number;
  readonly gid?: number;
  /** Wraps the command line (`[node, --import, preload, cli, ...args]`), e.g. in `unshare -m sh -c '…; exec "$@"'`; the wrapper must exec node so its status and RSS are the CLI's. */
  readonly wrap?: (command: readonly string[]) => readonly string[];
  /** The wrapper exits with this status when it could not set itself up: the case is skipped, saying why. */
  readonly wrapUnavailable?: { readonly status: number; readonly reason: string };
  /** Set when this machine cannot build the case (no mkfifo, no permission): the case is skipped with this reason. */
  readonly skip?: string;
}

/** What the user must see. */
export interface Expectation {
  /** Exit status: 0 done, 1 refused before anything was done, 2 a batch with error rows. */
  readonly exit: number;
  /**
   * Errors the user is told about, each on exactly one stderr line
   * `scanlens: <file>: <reason>` (file as the CLI names it, terminal-escaped)
   * and, when stdout is --json, as that file's error row.
   */
  readonly errors?: readonly { readonly file: string; readonly reason: RegExp }[];
  /** Other stderr lines of ScanLens's own (`scanlens: …`) that must be there. */
  readonly stderr?: readonly RegExp[];
  /** Files of the --json output that must read exactly as good.png classified alone (every field but `file`). */
  readonly unchanged?: readonly string[];
  /** Anything else the case promises (nothing written outside, the device still a device, …). */
  readonly check?: (run: CliRun, dir: string) => void;
}

export interface HostileCase {
  /** Shown in the table: what the input is and which command meets it. */
  readonly name: string;
  /** Writes the input into `dir` (fresh, empty, removed afterwards) and says how to run the CLI. */
  readonly build: (dir: string) => HostileRun | Promise<HostileRun>;
  readonly expect: Expectation;
  /** A known product bug, described: the case runs and is reported but does not fail the suite. */
  readonly todo?: string;
}

export interface CliRun {
  /** null when killed (a hang or a crash by signal). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Peak RSS of the CLI's process in MB, or undefined when it did not exit normally (killed, crashed). */
  readonly peakRssMb: number | undefined;
}

/** The lines ScanLens itself wrote to stderr (progress lines and onnxruntime's warnings aside). */
export const ownLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('scanlens:'));

export const work = (): string => mkdtempSync(join(tmpdir(), 'scanlens-hostile-'));

/** Copies the good sample into `dir` as good.png and returns its name. */
export function addGoodSample(dir: string): string {
  copyFileSync(GOOD_SAMPLE, join(dir, GOOD));
  return GOOD;
}

/** Runs the built CLI with the peak-RSS preload; resolves when it has ended (or been killed after KILL_AFTER_MS). */
export function runHostile(run: HostileRun, dir: string): Promise<CliRun> {
  if (!existsSync(join(CHECKOUT, 'dist', 'cli.js'))) throw new Error(`${join(CHECKOUT, 'dist', 'cli.js')} is missing: run \`npm run build\` first`);
  const rssFile = join(dir, '.peak-rss');
  const command = [process.execPath, '--import', PRELOAD, ...(run.node ?? [CLI, ...run.args])];
  const [file, ...args] = run.wrap ? run.wrap(command) : command;
  const env = { ...process.env, ...run.env, SCANLENS_PEAK_RSS_FILE: rssFile };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file!, args, { cwd: run.cwd ?? dir, env, uid: run.uid, gid: run.gid, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      // Missing or empty (pre-created for another user) when the preload never wrote it.
      const kb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8') || Number.NaN) : Number.NaN;
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        seconds,
        peakRssMb: Number.isFinite(kb) ? kb / 1024 : undefined,
      });
    });
  });
}

export interface JsonRow {
  readonly file: string;
  readonly error?: string;
  readonly [key: string]: unknown;
}

/** The rows of `classify --json` output. */
export const jsonRows = (stdout: string): JsonRow[] => (JSON.parse(stdout) as { results: JsonRow[] }).results;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** onnxruntime's own log lines (coloured with ESC; e.g. a telemetry warning when HOME is not writable): not text an input controls. */
// eslint-disable-next-line no-control-regex -- its colour codes are what is matched
const ONNXRUNTIME_LOG = /^(?:\x1b\[[\d;]*m)?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[[VIWEF]:onnxruntime:.*$/gm;

/** The bounds every case is held to, whatever its expectation. */
export function assertContained(run: CliRun): void {
  assert.notEqual(run.status, null, `did not end by itself (killed by ${run.signal} after ${run.seconds.toFixed(1)} s): ${run.stderr}`);
  for (const [stream, text] of [
    ['stderr', run.stderr.replace(ONNXRUNTIME_LOG, '')],
    ['stdout', run.stdout],
  ] as const) {
    assert.doesNotMatch(text, /^ {4}at /m, `stack trace on ${stream}:\n${text}`);
    assert.doesNotMatch(text, /Unhandled 'error' event|node:internal|UnhandledPromiseRejection/, `engine error on ${stream}:\n${text}`);
    assert.ok(!text.includes('\x1b'), `raw ESC on ${stream}: ${JSON.stringify(text)}`);
  }
  assert.ok(run.seconds < MAX_SECONDS, `took ${run.seconds.toFixed(1)} s, over ${MAX_SECONDS} s`);
  assert.ok(run.peakRssMb !== undefined, 'peak RSS not measured: the CLI did not exit normally');
  assert.ok(run.peakRssMb < MAX_RSS_MB, `peak RSS ${run.peakRssMb.toFixed(0)} MB, over ${MAX_RSS_MB} MB`);
}

/** The expectation of one case; `baseline` is good.png's row classified alone. */
export function assertExpected(expect: Expectation, run: CliRun, dir: string, baseline: JsonRow | undefined): void {
  const own = ownLines(run.stderr);
  assert.equal(run.status, expect.exit, `exit ${run.status}, expected ${expect.exit}; stderr:\n${run.stderr}`);
  const json = run.stdout.trimStart().startsWith('{') ? jsonRows(run.stdout) : undefined;
  for (const { file, reason } of expect.errors ?? []) {
    const line = new RegExp(`^scanlens: ${escapeRegExp(terminalText(file))}: (?:${reason.source})`);
    const lines = own.filter((l) => line.test(l));
    assert.equal(lines.length, 1, `one stderr line ${line}, got:\n${own.join('\n')}`);
    if (json) {
      const row = json.find((r) => r.file === file);
      assert.ok(row?.error, `an error row for ${JSON.stringify(file)}: ${JSON.stringify(json)}`);
      assert.match(row.error, new RegExp(`^${escapeRegExp(file)}: (?:${reason.source})`));
      assert.ok(!row.error.includes('\n'), row.error);
    }
  }
  for (const pattern of expect.stderr ?? []) {
    assert.ok(
      own.some((l) => pattern.test(l)),
      `a stderr line ${pattern}, got:\n${own.join('\n')}`,
    );
  }
  if (expect.unchanged?.length) {
    assert.ok(json && baseline, 'unchanged rows need --json output and the baseline');
    const strip = ({ file: _file, ...rest }: JsonRow): Record<string, unknown> => rest;
    for (const file of expect.unchanged) {
      const row: JsonRow | undefined = json.find((r) => r.file === file);
      assert.ok(row, `a row for ${file}`);
      assert.deepEqual(strip(row), strip(baseline), `${file} reads differently beside the hostile input`);
    }
  }
  expect.check?.(run, dir);
}

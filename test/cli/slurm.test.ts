import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../helpers/paths';

/*
 * Issue 20, item 9: the README's Slurm recipe run for real. A single-node
 * Slurm (slurmctld, slurmd, munged with its own key, all in a temp folder,
 * started and stopped here) runs the recipe as a 4-task array; one task is
 * cancelled mid-way and rerun, its `--resume` picking up the rows it had
 * written; the README's merge step then joins the shards into exactly the
 * bytes of one `scanlens classify` of the whole folder. Needs Linux, root and
 * Debian's slurm-wlm + munge (.ci/run installs them when it can); skips,
 * saying why, where they are missing.
 */

const TASKS = 4;
/** Copies of the sample PNGs: enough that a task runs for a second or more, so it can be caught mid-way. */
const COPIES = 400;
/** The task cancelled mid-way: one of the first two, which start at once on a 2-core node. */
const KILLED = 1;
const DEMO_MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');

const daemons: ChildProcess[] = [];
const jobs: string[] = [];
let env: NodeJS.ProcessEnv = {};
let temp: string | undefined;

const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];
/** A program on PATH (or in an sbin folder, often off a user's PATH), or undefined. */
function which(name: string): string | undefined {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...SBIN]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      continue;
    }
  }
  return undefined;
}

const PROGRAMS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo', 'squeue', 'scancel', 'scontrol'] as const;

/** Why Slurm cannot run here, or undefined when it can. */
function cannotRun(): string | undefined {
  if (process.platform !== 'linux') return `slurm-wlm/munge not installable here: ${process.platform} is not Linux`;
  if (process.getuid?.() !== 0) return 'slurm-wlm/munge not installable here: not root (installing them and letting slurmd start jobs needs root)';
  const missing = PROGRAMS.filter((p) => !which(p));
  if (missing.length > 0) return `slurm-wlm/munge not installable here: ${missing.join(', ')} not found (.ci/run installs slurm-wlm and munge with apt-get where it can)`;
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function waitFor<T>(what: string, seconds: number, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(100);
  }
}

/** A TCP port nothing listens on now (Slurm's own ports, 6817/6818, may be taken by a real cluster). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function run(program: string, args: readonly string[], cwd = temp!): SpawnSyncReturns<string> {
  return spawnSync(which(program) ?? program, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what}: ${result.error?.message ?? ''}${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Starts a daemon in the foreground, its output in a log file; stopped in after(). */
function daemon(program: string, args: readonly string[], log: string): ChildProcess {
  const out = openSync(log, 'a');
  const child = spawn(which(program)!, args, { env, stdio: ['ignore', out, out] });
  closeSync(out);
  daemons.push(child);
  return child;
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

async function stopAll(): Promise<void> {
  // Jobs first, so no job step outlives its slurmd; then the daemons, newest first.
  for (const job of jobs) run('scancel', [job]);
  if (jobs.length > 0 && daemons.every((d) => !exited(d))) {
    await waitFor('the jobs to end', 30, () => run('squeue', ['-h', '-o', '%i']).stdout.trim() === '').catch(() => undefined);
  }
  for (const child of [...daemons].reverse()) {
    if (exited(child)) continue;
    child.kill('SIGTERM');
    await waitFor(`${child.spawnfile} to stop`, 15, () => exited(child)).catch(() => child.kill('SIGKILL'));
  }
  if (temp) rmSync(temp, { recursive: true, force: true });
}

after(stopAll);

/** The README's `sh` block that follows `marker`. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md has no '${marker}'`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, `README.md has no sh block after '${marker}'`);
  return block[1]!;
}

/** Replaces `from` by `to` exactly once: if the README's recipe changes, this test must be told how to run the new one. */
function substitute(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `README recipe: expected '${from}' once in:\n${text}`);
  return text.replace(from, () => to);
}

/** Rows (records after the header) of a CSV, counting only whole lines. */
const rowCount = (path: string): number => (existsSync(path) ? Math.max(0, readFileSync(path, 'utf8').split('\n').length - 2) : 0);

/**
 * Submits the recipe as the array of tasks `array` and returns the job id.
 * The command line overrides the recipe's #SBATCH line: tasks of 1 CPU
 * instead of 4, the node having only as many as this machine.
 */
function sbatch(array: string, work: string): string {
  const out = ok(run('sbatch', ['--parsable', `--array=${array}`, '--cpus-per-task=1', `--chdir=${work}`, `--output=${join(work, 'slurm-%A_%a.out')}`, 'classify.sh'], work), 'sbatch');
  const id = /^(\d+)/.exec(out.trim())?.[1];
  assert.ok(id, `sbatch printed no job id: ${out}`);
  jobs.push(id);
  return id;
}

/**
 * Waits until no task of the job is queued or running (polling squeue: `sbatch
 * --wait` sleeps ever longer between its checks), then gives each task's final
 * state and exit code as scontrol reports them (kept MinJobAge, 300 s).
 */
async function tasksWhenDone(job: string, seconds: number): Promise<Map<number, string>> {
  await waitFor(`job ${job} to end`, seconds, () => run('squeue', ['-h', '-j', job, '-o', '%i']).stdout.trim() === '');
  const states = new Map<number, string>();
  for (const line of ok(run('scontrol', ['-o', 'show', 'job', job]), 'scontrol show job').split('\n')) {
    const task = /\bArrayTaskId=(\d+)\b/.exec(line)?.[1];
    if (task !== undefined) states.set(Number(task), `${/\bJobState=(\S+)/.exec(line)?.[1]} ${/\bExitCode=(\S+)/.exec(line)?.[1]}`);
  }
  return states;
}

function startCluster(dir: string, ports: { controller: number; node: number }): void {
  const node = hostname().split('.')[0]!;
  for (const sub of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  // munged refuses a key others may read, and a socket folder others cannot enter.
  chmodSync(join(dir, 'munge'), 0o755);
  writeFileSync(join(dir, 'munge', 'munge.key'), randomBytes(128), { mode: 0o400 });
  const socket = join(dir, 'munge', 'munge.socket');
  daemon(
    'munged',
    [
      '--foreground',
      '--force',
      `--key-file=${join(dir, 'munge', 'munge.key')}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'munge', 'munged.pid')}`,
      `--seed-file=${join(dir, 'munge', 'munged.seed')}`,
      `--log-file=${join(dir, 'log', 'munged.log')}`,
    ],
    join(dir, 'log', 'munged.out'),
  );
  const conf = join(dir, 'slurm.conf');
  // One node, this host, reached at 127.0.0.1 so no name lookup is needed; everything Slurm keeps lies in the temp folder.
  writeFileSync(
    conf,
    [
      'ClusterName=scanlens-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${ports.controller}`,
      `SlurmdPort=${ports.node}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      'MpiDefault=none',
      'SwitchType=switch/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'ReturnToService=2',
      'KillWait=5',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
      `PartitionName=scanlens Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SLURM_'))), SLURM_CONF: conf };
  daemon('slurmctld', ['-D', '-i', '-f', conf], join(dir, 'log', 'slurmctld.out'));
  daemon('slurmd', ['-D', '-f', conf, '-N', node], join(dir, 'log', 'slurmd.out'));
}

/** What the daemons said, for a failure message. */
function logs(dir: string): string {
  const folder = join(dir, 'log');
  return readdirSync(folder)
    .map((name) => `--- ${name}\n${readFileSync(join(folder, name), 'utf8').split('\n').slice(-15).join('\n')}`)
    .join('\n');
}

test("the README's Slurm recipe on a real single-node Slurm: a 4-task array, one task killed mid-way and rerun, merged into exactly a one-machine run's CSV", { timeout: 240_000 }, async (t) => {
  const reason = cannotRun();
  if (reason) return t.skip(reason);
  const begun = Date.now();
  temp = mkdtempSync(join(tmpdir(), 'scanlens-slurm-'));
  const cluster = join(temp, 'cluster');
  const work = join(temp, 'work');
  const scans = join(temp, 'scans');
  for (const dir of [cluster, work, scans, join(temp, 'bin')]) mkdirSync(dir, { recursive: true });

  startCluster(cluster, { controller: await freePort(), node: await freePort() });
  // `scanlens` as the recipe calls it: this checkout's CLI, on the PATH the jobs inherit (sbatch exports the environment).
  writeFileSync(join(temp, 'bin', 'scanlens'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'bin', 'scanlens.js')}' "$@"\n`, { mode: 0o755 });
  env = { ...env, PATH: `${join(temp, 'bin')}${delimiter}${env['PATH'] ?? ''}` };

  const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.png'));
  for (let copy = 0; copy < COPIES; copy++) for (const name of samples) copyFileSync(join(ROOT, 'samples', name), join(scans, `${copy}-${name}`));
  const total = COPIES * samples.length;
  const perTask = total / TASKS;

  // The recipe, as the README has it, with this folder, the bundled model and 4 tasks for /data/scans, the model and 32 tasks.
  let script = readmeBlock('Slurm (`sbatch classify.sh`):');
  script = substitute(script, '/data/scans', scans);
  script = substitute(script, '/models/m/model.json', DEMO_MODEL);
  script = substitute(script, '"$SLURM_ARRAY_TASK_ID/32"', `"$SLURM_ARRAY_TASK_ID/${TASKS}"`);
  writeFileSync(join(work, 'classify.sh'), script, { mode: 0o755 });
  const mergeStep = readmeBlock('When every task has finished');

  try {
    await waitFor('the node to be idle in sinfo', 60, () => run('sinfo', ['-h', '-N', '-o', '%T']).stdout.trim() === 'idle');
  } catch (error) {
    assert.fail(`${(error as Error).message}\n${logs(cluster)}`);
  }

  const started = Date.now();
  const setupSeconds = (started - begun) / 1000;
  const jobId = sbatch(`0-${TASKS - 1}`, work);

  // Cancel the task once its partial output has some rows but not all of them.
  const partial = join(work, 'results', `shard-${KILLED}.csv.partial`);
  const seen = await waitFor(`task ${KILLED}'s first rows`, 90, () => {
    const rows = rowCount(partial);
    return rows > 0 && rows;
  });
  ok(run('scancel', [`${jobId}_${KILLED}`]), 'scancel');
  const cancelledAt = (Date.now() - started) / 1000;
  const states = await tasksWhenDone(jobId, 150);
  assert.deepEqual(
    [...states.entries()].sort(([a], [b]) => a - b).map(([task, state]) => `${task}: ${state.split(' ')[0]}`),
    Array.from({ length: TASKS }, (_, i) => `${i}: ${i === KILLED ? 'CANCELLED' : 'COMPLETED'}`),
    [...states.values()].join(', '),
  );

  const finalOf = (i: number): string => join(work, 'results', `shard-${i}.csv`);
  assert.equal(existsSync(finalOf(KILLED)), false, `task ${KILLED} was cancelled before it finished (it had ${seen} rows when cancelled); raise COPIES if this machine is too fast`);
  const cut = rowCount(partial);
  assert.ok(cut >= seen && cut < perTask, `task ${KILLED}'s partial output is incomplete: ${cut} of ${perTask} rows`);
  for (let i = 0; i < TASKS; i++) if (i !== KILLED) assert.equal(rowCount(finalOf(i)), perTask, `task ${i}'s shard is whole`);

  // The README's merge step now would leave the cancelled task out (its glob does not match a .partial): it refuses, naming it.
  const early = spawnSync('sh', ['-c', mergeStep], { cwd: work, env, encoding: 'utf8' });
  assert.equal(early.status, 1, early.stdout + early.stderr);
  assert.match(early.stderr, new RegExp(`^scanlens: results/shard-${KILLED}\\.csv\\.partial: the run writing this shard .* has not finished`));
  assert.equal(existsSync(join(work, 'results.csv')), false);
  const arrayEnded = (Date.now() - started) / 1000;
  // Rerun just that task: --resume keeps its rows and classifies the rest.
  const rerunId = sbatch(String(KILLED), work);
  assert.deepEqual([...(await tasksWhenDone(rerunId, 120)).entries()], [[KILLED, 'COMPLETED 0:0']]);
  const log = readFileSync(join(work, `slurm-${rerunId}_${KILLED}.out`), 'utf8');
  const resumed = Number(/resuming: (\d+) input\(s\) already in the output/.exec(log)?.[1]);
  assert.ok(resumed >= cut && resumed < perTask, `the rerun resumed the ${cut} rows written before the cancel (it says: ${resumed}):\n${log}`);
  assert.equal(rowCount(finalOf(KILLED)), perTask);
  assert.equal(existsSync(partial), false);
  const slurmSeconds = (Date.now() - started) / 1000;

  // The README's merge step, as written, then one machine classifying the whole folder.
  const merged = spawnSync('sh', ['-c', mergeStep], { cwd: work, env, encoding: 'utf8' });
  assert.equal(merged.status, 0, merged.stderr);
  const mergeSeconds = (Date.now() - started) / 1000 - slurmSeconds;
  const one = spawnSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), 'classify', scans, '--model', DEMO_MODEL, '--csv', join(temp, 'one.csv')], {
    cwd: work,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(one.status, 0, one.stderr);
  const mergedCsv = readFileSync(join(work, 'results.csv'), 'utf8');
  assert.equal(mergedCsv.split('\n').length, total + 2);
  // Byte for byte: the resumed rows, read back from the partial CSV and written again, included.
  const oneCsv = readFileSync(join(temp, 'one.csv'), 'utf8');
  if (mergedCsv !== oneCsv) {
    const [a, b] = [mergedCsv.split('\n'), oneCsv.split('\n')];
    const at = a.findIndex((line, i) => line !== b[i]);
    assert.fail(`the merged shards differ from the one-machine CSV at line ${at + 1}:\n  merged: ${a[at]}\n  one:    ${b[at]}`);
  }
  t.diagnostic(
    `setup ${setupSeconds.toFixed(1)} s; ${total} scans; Slurm array, cancel and rerun: ${slurmSeconds.toFixed(1)} s (cancel at ${cancelledAt.toFixed(1)} s, array ended ${arrayEnded.toFixed(1)} s); task ${KILLED} cancelled at ${cut} of ${perTask} rows; merge ${mergeSeconds.toFixed(1)} s; one-machine run and compare ${((Date.now() - started) / 1000 - slurmSeconds - mergeSeconds).toFixed(1)} s`,
  );
});

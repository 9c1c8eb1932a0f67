import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { judge } from './judge';
import { inputSeed, mutate } from './mutate';
import { EXIT_MEMORY, type ChildConfig, type ChildMessage, type FailureKind, type FailureRecord } from './protocol';
import { targetNamed, type Target } from './targets';

/**
 * One fuzz campaign slice in its own process, so that a native crash, a hang
 * or a memory blow-up ends only this process and the harness can record the
 * input and go on. Started by harness.ts with the config as argv[2].
 */

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const send = (message: ChildMessage): void => void process.send?.(message);
const inputFile = join(config.workDir, 'fuzz-input');

function saveFailure(target: Target, iteration: number, seedFile: string, kind: FailureKind, reason: string): FailureRecord {
  mkdirSync(config.failuresDir, { recursive: true });
  const input = join(config.failuresDir, `${target.name}-seed${config.seed}-i${iteration}.bin`);
  copyFileSync(inputFile, input);
  const failure: FailureRecord = { target: target.name, seed: config.seed, iteration, seedFile, kind, reason, input };
  writeFileSync(input.replace(/\.bin$/, '.json'), `${JSON.stringify(failure, null, 2)}\n`);
  return failure;
}

/** Runs one input; returns why it failed, or undefined. */
async function feed(target: Target, bytes: Uint8Array): Promise<string | undefined> {
  writeFileSync(inputFile, bytes);
  try {
    await target.run(bytes, inputFile);
    return undefined;
  } catch (error) {
    return judge(error, inputFile, target.name === 'cell');
  }
}

async function replay(target: Target, path: string): Promise<void> {
  const bytes = readFileSync(path);
  // Untimed warm-up on the input itself would hide a hang, so only the timed run below feeds it.
  send({ type: 'start', iteration: 0, seedFile: basename(path) });
  await yieldToLoop();
  const why = await feed(target, bytes);
  console.log(why ? `still fails: ${why}` : 'passes now: the input is handled with an acceptable error or none');
  process.exitCode = why ? 1 : 0;
}

async function campaign(target: Target): Promise<void> {
  const seeds = target.seeds.map((file) => ({ file, bytes: readFileSync(file) }));
  // Warm-up (not judged): loads modules and starts the decode worker before the hang clock runs.
  if (target.warmUp) await feed(target, seeds[0]!.bytes);
  const baseline = process.memoryUsage().rss;
  send({ type: 'ready' });
  const deadline = Date.now() + config.budgetMs;
  let iteration = config.start;
  for (; iteration < config.end && Date.now() < deadline; iteration++) {
    const inputRandom = inputSeed(config.seed, target.name, iteration);
    const seed = seeds[inputRandom % seeds.length]!;
    send({ type: 'start', iteration, seedFile: basename(seed.file) });
    // Lets the start message leave before the input runs, so a hang is pinned on the right input.
    await yieldToLoop();
    const why = await feed(target, mutate(seed.bytes, inputRandom, target.text));
    if (why) send({ type: 'failure', failure: saveFailure(target, iteration, basename(seed.file), 'error', why) });
    const grownMb = (process.memoryUsage().rss - baseline) / (1024 * 1024);
    if (grownMb > config.rssCapMb) {
      const reason = `resident memory grew by ${Math.round(grownMb)} MB, over the ${config.rssCapMb} MB cap`;
      const failure = saveFailure(target, iteration, basename(seed.file), 'memory', reason);
      process.send?.({ type: 'failure', failure } satisfies ChildMessage, () => process.exit(EXIT_MEMORY));
      return;
    }
  }
  send({ type: 'done', next: iteration });
}

async function main(): Promise<void> {
  mkdirSync(config.workDir, { recursive: true });
  const target = targetNamed(config.target);
  if (config.replay) await replay(target, config.replay);
  else await campaign(target);
  // Idle decode workers are unref'd; the IPC channel is what keeps this process alive.
  process.disconnect?.();
}

void main();

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { addGoodSample, GOOD, type HostileCase, type HostileRun } from './hostileCase';

/*
 * Special files named as inputs: a FIFO used to block `classify` and `info`
 * for ever on open (issue 20 item 3). Refused from `stat`, before it is opened.
 */

/** Makes a FIFO at dir/name; returns the reason to skip when this machine cannot. */
export function makeFifo(dir: string, name: string): string | undefined {
  const made = spawnSync('mkfifo', [join(dir, name)], { encoding: 'utf8' });
  return made.status === 0 ? undefined : `mkfifo failed: ${made.stderr || made.error?.message}`;
}

const FIFO_REASON = /is a named pipe \(FIFO\), not a regular file$/;

const withFifo = (dir: string, args: (fifo: string) => string[]): HostileRun => {
  const skip = makeFifo(dir, 'fifo.dcm');
  return skip ? { args: [], skip } : { args: args('fifo.dcm') };
};

export const specialFileCases: readonly HostileCase[] = [
  {
    name: 'named pipe fifo.dcm (classify --json, beside a good scan)',
    build: (dir) => withFifo(dir, (fifo) => ['classify', fifo, addGoodSample(dir), '--json']),
    expect: { exit: 2, errors: [{ file: 'fifo.dcm', reason: FIFO_REASON }], unchanged: [GOOD] },
  },
  {
    name: 'named pipe fifo.dcm (info)',
    build: (dir) => withFifo(dir, (fifo) => ['info', fifo]),
    expect: { exit: 1, errors: [{ file: 'fifo.dcm', reason: FIFO_REASON }], check: (run) => assertEmpty(run.stdout) },
  },
];

function assertEmpty(stdout: string): void {
  if (stdout !== '') throw new Error(`expected nothing on stdout, got ${JSON.stringify(stdout)}`);
}

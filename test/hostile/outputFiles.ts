import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths';
import { addGoodSample, CLI, GOOD, jsonRows, type HostileCase, type HostileRun } from './hostileCase';

/*
 * Result files (issue 20 item 4): a write that fails is one line naming the
 * file, never Node's "Unhandled 'error' event"; a device at the target is
 * refused, never renamed over; --resume trusts only whole rows.
 */

const isRoot = process.getuid?.() === 0;
const NOBODY = { uid: 65534, gid: 65534 };

/**
 * `classify good.png --csv ro/out.csv` with ro/ read-only: chmod 555 for a
 * user; as root (who writes anywhere) a read-only tmpfs over ro/ in a mount
 * namespace of its own, else the CLI run as nobody when nobody can read it
 * (as test/cli/regularFiles.test.ts does).
 */
function readOnlyFolder(dir: string): HostileRun {
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  const args = ['classify', addGoodSample(dir), '--csv', 'ro/out.csv'];
  if (!isRoot) {
    chmodSync(ro, 0o555);
    return { args };
  }
  if (spawnSync('unshare', ['-m', 'true']).status === 0) {
    const script = 'mount -t tmpfs -o ro tmpfs "$1" || exit 99; shift; exec "$@"';
    return {
      args,
      wrap: (command) => ['unshare', '-m', 'sh', '-c', script, 'sh', ro, ...command],
      wrapUnavailable: { status: 99, reason: 'no read-only tmpfs can be mounted here' },
    };
  }
  if (spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)})`], NOBODY).status === 0) {
    chmodSync(dir, 0o755);
    chmodSync(join(dir, GOOD), 0o644);
    chmodSync(ro, 0o555);
    // The peak-RSS preload writes here as nobody.
    writeFileSync(join(dir, '.peak-rss'), '');
    chmodSync(join(dir, '.peak-rss'), 0o666);
    return { args, ...NOBODY };
  }
  return { args, skip: 'as root, with neither a mount namespace (unshare -m) nor a checkout nobody can read, no folder is read-only' };
}

/** A character device with /dev/full's numbers, made in `dir` so that a regression cannot replace the machine's /dev/full; /dev/full itself for a user, who cannot replace it. */
function fullDevice(dir: string): string {
  if (!isRoot) return '/dev/full';
  const made = spawnSync('mknod', [join(dir, 'full'), 'c', '1', '7']);
  return made.status === 0 ? 'full' : '';
}

/** Runs the CLI once at build time (not measured): a complete CSV for the --resume case to cut. */
function classifyToCsv(dir: string, inputs: readonly string[], csv: string): string {
  const run = spawnSync(process.execPath, [CLI, 'classify', ...inputs, '--csv', csv], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(join(dir, csv), 'utf8');
}

export const outputFileCases: readonly HostileCase[] = [
  {
    name: '--csv into a read-only folder (classify)',
    build: readOnlyFolder,
    expect: {
      exit: 1,
      errors: [{ file: 'ro/out.csv.partial', reason: /cannot write \((?:permission denied, EACCES|read-only file system, EROFS)\)$/ }],
      check: (_run, dir) => assert.equal(existsSync(join(dir, 'ro', 'out.csv')), false),
    },
  },
  {
    name: '--jsonl onto /dev/full (classify)',
    build: (dir) => {
      const device = fullDevice(dir);
      if (!device) return { args: [], skip: 'mknod failed: no device node of our own to write to' };
      return { args: ['classify', addGoodSample(dir), '--jsonl', device] };
    },
    expect: {
      exit: 1,
      errors: [{ file: isRoot ? 'full' : '/dev/full', reason: /cannot write the output here: it is a character device, not a regular file$/ }],
      check: (run, dir) => {
        assert.equal(run.stdout, '', 'nothing was classified');
        assert.ok(lstatSync('/dev/full').isCharacterDevice(), '/dev/full is still a device');
        if (isRoot) {
          assert.ok(lstatSync(join(dir, 'full')).isCharacterDevice(), 'the device node is still a device');
          assert.deepEqual(readdirSync(dir).sort(), ['.peak-rss', 'full', GOOD], 'no partial or temporary file left');
        }
      },
    },
  },
  {
    name: '--resume from a .partial CSV cut inside its last number (classify)',
    build: (dir) => {
      const good = addGoodSample(dir);
      copyFileSync(join(ROOT, 'samples', 'pituitary-01.png'), join(dir, 'pituitary.png'));
      const inputs = [good, 'pituitary.png'];
      const complete = classifyToCsv(dir, inputs, 'complete.csv');
      const lines = complete.split('\n');
      // pituitary.png's row (pituitary 0.51, notumor 0.30) cut inside p_pituitary, its last probability: read as 0, its top class would flip.
      const at = lines.findIndex((l) => l.startsWith('pituitary.png,'));
      lines[at] = `${lines[at]!.split(',').slice(0, 6).join(',')},0.`;
      writeFileSync(join(dir, 'out.csv.partial'), lines.slice(0, at + 1).join('\n'));
      return { args: ['classify', ...inputs, '--csv', 'out.csv', '--resume', '--json'] };
    },
    expect: {
      exit: 0,
      stderr: [/^scanlens: resuming: 1 input\(s\) already in the output/],
      check: (run, dir) => {
        assert.equal((JSON.parse(run.stdout) as { summary: { resumed: number } }).summary.resumed, 1, 'only the whole row is taken');
        const top = (file: string): unknown => (jsonRows(run.stdout).find((r) => r.file === file)?.['top'] as { label?: string } | undefined)?.label;
        assert.equal(top('pituitary.png'), 'pituitary', 'the cut row was classified again, its top class unchanged');
        assert.equal(top(GOOD), 'glioma');
        assert.equal(readFileSync(join(dir, 'out.csv'), 'utf8'), readFileSync(join(dir, 'complete.csv'), 'utf8'), 'the resumed CSV reads as an uninterrupted run');
      },
    },
  },
];

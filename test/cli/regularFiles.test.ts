import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFailure } from '../../src/core/io/regularFile';
import { ROOT } from '../helpers/paths';

/**
 * Issue 20, items 3 and 4: scans and models are opened only when they are
 * regular files (a FIFO used to hang `classify` and `info` for ever); outputs
 * go only to new or regular files (a finished `--jsonl` used to be renamed
 * over a device); a write failure is one line naming the file, never Node's
 * "Unhandled 'error' event"; `--resume` trusts only whole rows.
 */

const CLI = join(ROOT, 'bin', 'scanlens.js');
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');
const isRoot = process.getuid?.() === 0;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI with a short timeout: a hang is a failure of its own (status null), not a stuck suite. */
function cli(args: readonly string[], cwd: string, options: { uid?: number; gid?: number } = {}): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000, ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The lines ScanLens itself wrote to stderr (onnxruntime's own warnings aside). */
const ownLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('scanlens:'));

function assertNoCrash(run: Run): void {
  assert.notEqual(run.status, null, `timed out (hung): ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /Unhandled 'error' event|\n\s+at |node:internal/, run.stderr);
}

const work = (): string => mkdtempSync(join(tmpdir(), 'scanlens-regular-'));

test('a FIFO given as a scan is refused before it is opened: info and classify end at once with one line naming it', () => {
  const dir = work();
  execFileSync('mkfifo', [join(dir, 'fifo.dcm')]);
  const info = cli(['info', 'fifo.dcm'], dir);
  assertNoCrash(info);
  assert.equal(info.status, 1);
  assert.deepEqual(ownLines(info.stderr), ['scanlens: fifo.dcm: is a named pipe (FIFO), not a regular file']);
  const classify = cli(['classify', 'fifo.dcm', SAMPLE, '--json'], dir);
  assertNoCrash(classify);
  assert.equal(classify.status, 2, 'the FIFO is an error row; the other scan is classified');
  const rows = (JSON.parse(classify.stdout) as { results: { file: string; error?: string }[] }).results;
  assert.equal(rows.find((r) => r.file === 'fifo.dcm')?.error, 'fifo.dcm: is a named pipe (FIFO), not a regular file');
  assert.equal(rows.filter((r) => r.error === undefined).length, 1);
});

test('a socket is refused as a scan, a FIFO as a model; a symlink to a regular scan is read', async () => {
  const dir = work();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'socket.png'), resolve));
  try {
    const socket = cli(['info', 'socket.png'], dir);
    assertNoCrash(socket);
    assert.deepEqual(ownLines(socket.stderr), ['scanlens: socket.png: is a socket, not a regular file']);
  } finally {
    server.close();
  }
  execFileSync('mkfifo', [join(dir, 'model.onnx')]);
  const model = cli(['classify', SAMPLE, '--model', 'model.onnx'], dir);
  assertNoCrash(model);
  assert.equal(model.status, 1);
  assert.deepEqual(ownLines(model.stderr), ['scanlens: model.onnx: is a named pipe (FIFO), not a regular file']);
  symlinkSync(SAMPLE, join(dir, 'linked.png'));
  assert.equal(cli(['info', 'linked.png'], dir).status, 0, 'a link to a regular file is an ordinary input');
});

test('outputs are never renamed over a device, FIFO, link or folder: refused before any scan is classified, the target untouched', (t) => {
  const dir = work();
  const targets: { name: string; kind: string }[] = [];
  execFileSync('mkfifo', [join(dir, 'out.fifo')]);
  targets.push({ name: 'out.fifo', kind: 'a named pipe (FIFO)' });
  symlinkSync(join(dir, 'elsewhere.csv'), join(dir, 'link.csv'));
  targets.push({ name: 'link.csv', kind: 'a symbolic link' });
  mkdirSync(join(dir, 'folder.csv'));
  targets.push({ name: 'folder.csv', kind: 'a folder' });
  // A device node of our own (the same major/minor as /dev/null), so a regression cannot replace the machine's /dev/null or /dev/full.
  const device = spawnSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
  if (device.status === 0) targets.push({ name: 'null', kind: 'a character device' });
  else t.diagnostic('device case skipped: mknod needs root (CAP_MKNOD)');
  for (const { name, kind } of targets) {
    for (const flag of ['--csv', '--jsonl']) {
      const run = cli(['classify', SAMPLE, flag, name], dir);
      assertNoCrash(run);
      assert.equal(run.status, 1, `${flag} ${name}: ${run.stderr}`);
      assert.deepEqual(ownLines(run.stderr), [`scanlens: ${name}: cannot write the output here: it is ${kind}, not a regular file`]);
      assert.equal(run.stdout, '', 'nothing was classified');
      assert.equal(lstatSync(join(dir, name)).isFile(), false, `${name} was replaced`);
    }
  }
  // The same rule for every atomically written output (explain --out, preprocess, --maps, reports): writeFileAtomic.
  const explain = cli(['explain', SAMPLE, '--out', 'out.fifo'], dir);
  assertNoCrash(explain);
  assert.deepEqual(ownLines(explain.stderr), ['scanlens: out.fifo: cannot write the output here: it is a named pipe (FIFO), not a regular file']);
  assert.equal(lstatSync(join(dir, 'out.fifo')).isFIFO(), true);
  assert.equal(existsSync(join(dir, 'elsewhere.csv')), false, 'nothing was written through the link');
});

test('--csv into a read-only folder: one line naming the file, exit 1, no stack', (t) => {
  const dir = work();
  chmodSync(dir, 0o755);
  const readOnly = join(dir, 'ro');
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o555);
  const sample = join(dir, 'glioma-01.png');
  copyFileSync(SAMPLE, sample);
  chmodSync(sample, 0o644);
  const expected = (reason: string): string[] => [`scanlens: ${join(readOnly, 'out.csv.partial')}: cannot write (${reason})`];
  if (!isRoot) {
    const run = cli(['classify', sample, '--csv', join(readOnly, 'out.csv')], dir);
    assertNoCrash(run);
    assert.equal(run.status, 1, run.stderr);
    return assert.deepEqual(ownLines(run.stderr), expected('permission denied, EACCES'));
  }
  // Root writes anywhere. As nobody, when nobody can read this checkout (a clone in a private folder cannot be)…
  const nobody = { uid: 65534, gid: 65534 };
  if (spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)})`], { ...nobody, encoding: 'utf8' }).status === 0) {
    const run = cli(['classify', sample, '--csv', join(readOnly, 'out.csv')], dir, nobody);
    assertNoCrash(run);
    assert.equal(run.status, 1, run.stderr);
    return assert.deepEqual(ownLines(run.stderr), expected('permission denied, EACCES'));
  }
  // …else as root, with the folder mounted read-only in a mount namespace of its own.
  const script = `mount -t tmpfs -o ro tmpfs "$1" || exit 99
"$2" "$3" classify "$4" --csv "$1/out.csv" 2>"$5/stderr"; echo $? >"$5/status"`;
  const namespace = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', readOnly, process.execPath, CLI, sample, dir], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (namespace.status === 99 || namespace.error || !existsSync(join(dir, 'status'))) {
    return t.skip(`nobody cannot read this checkout and no read-only mount is allowed here: ${namespace.stderr || namespace.error?.message}`);
  }
  const stderr = readFileSync(join(dir, 'stderr'), 'utf8');
  assertNoCrash({ status: Number(readFileSync(join(dir, 'status'), 'utf8')), stdout: '', stderr });
  assert.equal(readFileSync(join(dir, 'status'), 'utf8').trim(), '1', stderr);
  assert.deepEqual(ownLines(stderr), expected('read-only file system, EROFS'));
});

test('a write failure reads as one line: ENOSPC from /dev/full', () => {
  let caught: unknown;
  try {
    writeFileSync('/dev/full', 'row\n');
  } catch (error) {
    caught = error;
  }
  assert.equal((caught as NodeJS.ErrnoException).code, 'ENOSPC');
  assert.equal(writeFailure(caught, 'results.csv.partial').message, 'results.csv.partial: cannot write (no space left on the device, ENOSPC)');
});

test('--csv onto a full disk: one line naming the file, exit 1; the rows written stay readable and --resume finishes them to an uninterrupted run', (t) => {
  const dir = work();
  const full = join(dir, 'full');
  mkdirSync(full);
  const expected = cli(['classify', 'samples', '--csv', join(dir, 'expected.csv')], ROOT);
  assert.equal(expected.status, 0, expected.stderr);
  // A 4 KiB tmpfs in a mount namespace of its own: it fills after a few dozen rows. The partial is copied out before the namespace ends.
  const script = `mount -t tmpfs -o size=4k tmpfs "$1" || exit 99
"$2" "$3" classify samples --csv "$1/out.csv" 2>"$4/stderr"; echo $? >"$4/status"
cp "$1/out.csv.partial" "$4/saved.partial"`;
  const namespace = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', full, process.execPath, CLI, dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (namespace.status === 99 || namespace.error || !existsSync(join(dir, 'status'))) {
    return t.skip(`no tmpfs can be mounted here (unshare -m needs CAP_SYS_ADMIN): ${namespace.stderr || namespace.error?.message}`);
  }
  const stderr = readFileSync(join(dir, 'stderr'), 'utf8');
  assertNoCrash({ status: Number(readFileSync(join(dir, 'status'), 'utf8')), stdout: '', stderr });
  assert.equal(readFileSync(join(dir, 'status'), 'utf8').trim(), '1', stderr);
  assert.deepEqual(
    ownLines(stderr).filter((l) => l.includes('cannot write')),
    [`scanlens: ${join(full, 'out.csv.partial')}: cannot write (no space left on the device, ENOSPC)`],
  );
  const saved = readFileSync(join(dir, 'saved.partial'), 'utf8');
  assert.ok(saved.length > 1000 && saved.length <= 4096, `partial of ${saved.length} bytes`);
  const expectedText = readFileSync(join(dir, 'expected.csv'), 'utf8');
  // Whole rows as written (only the last may be cut where the disk filled).
  const savedLines = saved.split('\n');
  for (const line of savedLines.slice(0, -1)) assert.ok(expectedText.includes(`${line}\n`), `row not as written: ${line}`);
  const target = join(dir, 'resumed.csv');
  writeFileSync(`${target}.partial`, saved);
  const resumed = cli(['classify', 'samples', '--csv', target, '--resume'], ROOT);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming: \d+ input\(s\) already in the output/);
  assert.equal(readFileSync(target, 'utf8'), expectedText);
});

test('--resume does not trust a CSV row cut inside its last number (`…,0.`): that scan is classified again, its top class unchanged', () => {
  const dir = work();
  const scans = [SAMPLE, join(ROOT, 'samples', 'pituitary-01.png')];
  const complete = join(dir, 'complete.csv');
  const run = cli(['classify', ...scans, '--csv', complete], dir);
  assert.equal(run.status, 0, run.stderr);
  const text = readFileSync(complete, 'utf8');
  const [header, first, second] = text.split('\n');
  // pituitary-01 (pituitary 0.51, notumor 0.30) cut inside p_pituitary, the last probability: read as 0, its top class flipped to notumor.
  const cells = second!.split(',');
  assert.equal(cells[1], 'pituitary');
  const cut = `${cells.slice(0, 6).join(',')},0.`;
  const target = join(dir, 'out.csv');
  writeFileSync(`${target}.partial`, `${header}\n${first}\n${cut}`);
  const resumed = cli(['classify', ...scans, '--csv', target, '--resume', '--json'], dir);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as { summary: { resumed: number } }).summary.resumed, 1, 'only the whole row is taken');
  assert.equal(readFileSync(target, 'utf8'), text);
});

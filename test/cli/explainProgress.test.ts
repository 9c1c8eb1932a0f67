import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache.
process.env['SCANLENS_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'scanlens-cli-explain-progress-'));

test('explain --method scorecam reports its runs on stderr, ending at the total, and keeps stdout one JSON document', () => {
  const result = runCli(['explain', 'samples/glioma-01.png', '--method', 'scorecam', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.match(lines.at(-1)!, /^scorecam: (\d+)\/\1 /);
  assert.equal(JSON.parse(result.stdout).method, 'scorecam');
});

test('Ctrl-C during explain --method scorecam stops it with one "cancelled" line, exit 2 and no overlay written', async () => {
  const out = join(process.env['SCANLENS_CACHE_DIR']!, 'cancelled.png');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), 'explain', 'samples/glioma-01.png', '--method', 'scorecam', '--out', out], { cwd: ROOT });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    const first = stderr === '';
    stderr += chunk.toString();
    // The first progress line comes after the first batch; the rest are still to run.
    if (first) child.kill('SIGINT');
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(status, 2, stderr);
  const lines = stderr.trim().split('\n');
  assert.match(lines.at(-1)!, /^scanlens: samples\/glioma-01\.png: cancelled$/);
  assert.equal(stdout, '');
  assert.equal(existsSync(out), false);
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would, through bin/scanlens.js (npm test builds first). */
export function runCli(args: readonly string[], cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'scanlens.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats';

/**
 * Whole processes, as a user or a script starts them: `scanlens classify` of
 * one image and `scanlens explain --out` of the same image, each a fresh
 * Node process. explain runs once before timing, so its derived gradient
 * model is in the on-disk cache (every later explain of that model finds it
 * there); the two commands are timed in alternation so other load falls on
 * both alike.
 */
export function coldStart(root: string, model: string, sample: string, runs: number): { classify_ms: number; explain_ms: number; explain_vs_classify: number } {
  const cli = join(root, 'bin', 'scanlens.js');
  const scratch = mkdtempSync(join(tmpdir(), 'scanlens-cold-'));
  const time = (args: string[]): number => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`scanlens ${args[0]} failed: ${result.stderr.trim()}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const classify = ['classify', sample, '--model', model];
  const explain = ['explain', sample, '--model', model, '--out', join(scratch, 'overlay.png')];
  time(explain);
  const times = { classify: [] as number[], explain: [] as number[] };
  for (let i = 0; i < runs; i++) {
    times.classify.push(time(classify));
    times.explain.push(time(explain));
  }
  rmSync(scratch, { recursive: true, force: true });
  const classifyMs = median(times.classify);
  const explainMs = median(times.explain);
  return { classify_ms: classifyMs, explain_ms: explainMs, explain_vs_classify: explainMs / classifyMs };
}

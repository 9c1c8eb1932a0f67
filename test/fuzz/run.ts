import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FAILURES_DIR, fuzzTarget, replayInput } from './harness';
import type { FailureRecord } from './protocol';
import { TARGETS } from './targets';

/**
 * `npm run fuzz` — a longer campaign than CI's bounded run:
 *   npm run fuzz -- [--seed N] [--seconds S per target] [--inputs N per target] [--target dicom,nifti,...]
 *   npm run fuzz -- --replay .cache/fuzz-failures/<target>-seed<N>-i<K>.bin
 *   npm run fuzz -- --replay any-file --target dicom
 */

const HANG_MS = 2000;
const RSS_CAP_MB = 768;

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seconds: { type: 'string', default: '120' },
    inputs: { type: 'string' },
    target: { type: 'string' },
    replay: { type: 'string' },
  },
});

/** Replays a saved failure (its .json sidecar names the target), or any file with --target. */
async function replay(file: string): Promise<number> {
  const sidecar = file.replace(/\.bin$/, '.json');
  let target = values.target;
  if (existsSync(file) && existsSync(sidecar) && sidecar !== file) {
    const record = JSON.parse(readFileSync(sidecar, 'utf8')) as FailureRecord;
    console.log(`replaying ${record.target} input (seed ${record.seed}, iteration ${record.iteration}, from ${record.seedFile}); recorded: ${record.kind}: ${record.reason}`);
    target ??= record.target;
  }
  if (!existsSync(file) || !target) {
    console.error(`${file}: not a saved fuzz input (no ${sidecar}); name its target with --target`);
    return 1;
  }
  const { ok, report } = await replayInput(target, file, HANG_MS);
  console.log(report);
  return ok ? 0 : 1;
}

async function campaign(): Promise<number> {
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  const seconds = Number(values.seconds);
  const inputs = values.inputs !== undefined ? Number(values.inputs) : Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(seed) || !(seconds > 0) || !(inputs > 0)) {
    console.error('--seed must be a whole number, --seconds and --inputs positive numbers');
    return 1;
  }
  const names = values.target?.split(',') ?? TARGETS.map((t) => t.name);
  console.log(`fuzzing ${names.join(', ')} with seed ${seed}, ${seconds} s each; failures go to ${FAILURES_DIR}`);
  let failed = 0;
  for (const name of names) {
    const result = await fuzzTarget(name, { seed, budgetMs: seconds * 1000, maxIterations: inputs, hangMs: HANG_MS, rssCapMb: RSS_CAP_MB });
    console.log(`${name}: ${result.inputs} inputs, ${result.failures.length} failures`);
    for (const failure of result.failures) console.log(`  ${failure.kind}: ${failure.reason}\n    replay: npm run fuzz -- --replay ${failure.input}`);
    failed += result.failures.length;
  }
  return failed === 0 ? 0 : 1;
}

void (values.replay ? replay(values.replay) : campaign()).then((code) => (process.exitCode = code));

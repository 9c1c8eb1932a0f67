/** One slice of a dataset: inputs whose position in sorted order ≡ index (mod count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` with 0 ≤ i < n, as `--shard` takes it (Slurm's SLURM_ARRAY_TASK_ID, Kubernetes' JOB_COMPLETION_INDEX). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) throw new Error(`expected --shard i/n with 0 ≤ i < n (e.g. 0/4), got '${text}'`);
  return { index, count };
}

/**
 * The keys this shard owns. Sorting by plain code-unit order first makes the
 * split independent of argument order, locale and file-system listing order,
 * so n machines given the same inputs cover every key exactly once.
 */
export function keysInShard(keys: readonly string[], shard: Shard): Set<string> {
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new Set(sorted.filter((_, i) => i % shard.count === shard.index));
}

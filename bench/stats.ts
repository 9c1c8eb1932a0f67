/** Small timing helpers: medians over repeated runs, after warm-up. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timeMedian(runs: number, fn: () => Promise<unknown> | unknown, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

export const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;

/**
 * Medians of several functions measured in alternation (A B C A B C …), so
 * load from other processes falls on all of them alike instead of on
 * whichever happened to run during a busy spell.
 */
export async function interleavedMedians(runs: number, fns: Record<string, () => Promise<unknown> | unknown>, warmup = 2): Promise<Record<string, number>> {
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) for (const name of names) await fns[name]!();
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const name of names) {
      const start = process.hrtime.bigint();
      await fns[name]!();
      times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

/**
 * Each function's better median of two ways of timing it: interleaved with
 * the others (caches shared, as inside an application) and alone in a tight
 * loop (warm caches, as a baseline's own loop has them), so neither ScanLens
 * nor its limit is credited with conditions the other did not get.
 */
export async function bestMedians(runs: number, fns: Record<string, () => Promise<unknown> | unknown>): Promise<Record<string, number>> {
  const interleaved = await interleavedMedians(runs, fns);
  const best: Record<string, number> = {};
  for (const [name, fn] of Object.entries(fns)) best[name] = Math.min(interleaved[name]!, await timeMedian(runs, fn));
  return best;
}

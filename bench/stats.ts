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

type Timed = () => Promise<unknown> | unknown;

/** A measured function, with untimed work after it (letting a spin-waiting session's threads fall asleep before the next function runs). */
export interface Step {
  readonly run: Timed;
  readonly after: Timed;
}

/**
 * Medians of several functions measured in alternation (A B C A B C …), so
 * load from other processes falls on all of them alike instead of on
 * whichever happened to run during a busy spell.
 */
export async function interleavedMedians(runs: number, fns: Record<string, Timed | Step>, warmup = 2): Promise<Record<string, number>> {
  const names = Object.keys(fns);
  const step = (name: string): Step => {
    const fn = fns[name]!;
    return typeof fn === 'function' ? { run: fn, after: () => undefined } : fn;
  };
  for (let i = 0; i < warmup; i++) for (const name of names) await step(name).run();
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const name of names) {
      const { run, after } = step(name);
      const start = process.hrtime.bigint();
      await run();
      times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
      await after();
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]));
}

/** After a spin-waiting session's run: long enough for its idle threads to stop spinning. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

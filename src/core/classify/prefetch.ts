/**
 * Yields fn(item) for each item in order, while up to `depth` later items are
 * already being worked on. Bounded look-ahead is what lets decoding (sharp's
 * thread pool) overlap inference without memory growing with the input: at
 * most depth + 1 results exist at once. Stopping early (break, return) starts
 * nothing new, and work already started cannot surface as an unhandled rejection.
 */
export async function* prefetched<T, R>(items: readonly T[], depth: number, fn: (item: T, index: number) => Promise<R>): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const fill = (): void => {
    while (inFlight.length <= depth && next < items.length) {
      const index = next++;
      inFlight.push(fn(items[index]!, index));
    }
  };
  try {
    fill();
    while (inFlight.length > 0) {
      const result = await inFlight.shift()!;
      // Start the next item before the consumer's work on this one (inference) begins.
      fill();
      yield result;
    }
  } finally {
    for (const pending of inFlight) pending.catch(() => undefined);
  }
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefetched } from '../../../src/core/classify/prefetch';

const later = <T>(value: T, ms: number): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

test('results come in input order even when later items finish first', async () => {
  const delays = [30, 5, 20, 1, 10];
  const out: number[] = [];
  for await (const v of prefetched(delays, 3, (ms, i) => later(i, ms))) out.push(v);
  assert.deepEqual(out, [0, 1, 2, 3, 4]);
});

test('never more than depth + 1 items in flight, and the look-ahead really overlaps', async () => {
  let running = 0;
  let peak = 0;
  const work = async (n: number): Promise<number> => {
    running++;
    peak = Math.max(peak, running);
    await later(0, 5);
    running--;
    return n;
  };
  for await (const _ of prefetched([...Array(20).keys()], 2, work)) await later(0, 2);
  assert.equal(peak, 3);
});

test('breaking early starts nothing new and a pending rejection is not left unhandled', async () => {
  const started: number[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    for await (const v of prefetched([0, 1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      await later(0, 1);
      if (n === 1) throw new Error('bad item');
      return n;
    })) {
      assert.equal(v, 0);
      break;
    }
    await later(0, 20);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  // Item 0 done, 1 and 2 in flight (depth 1 + the one being consumed); 3… never start.
  assert.deepEqual(started, [0, 1, 2]);
  assert.deepEqual(unhandled, []);
});

test('a rejection surfaces at its own position', async () => {
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const v of prefetched([0, 1, 2], 2, async (n) => (n === 1 ? Promise.reject(new Error('item 1')) : n))) seen.push(v);
  }, /item 1/);
  assert.deepEqual(seen, [0]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUT_OF_DISTRIBUTION, type OodGuard } from '../../../src/core/anomaly/oodGuard';
import type { ClassifyRow } from '../../../src/core/classify/classify';
import { guardRows } from '../../../src/core/classify/guardRows';

async function* fromArray(rows: readonly ClassifyRow[]): AsyncGenerator<ClassifyRow> {
  yield* rows;
}

async function collect(rows: AsyncIterable<ClassifyRow>): Promise<ClassifyRow[]> {
  const out: ClassifyRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Scores by file name; 'broken' throws, as a scorer does on an undecodable or volume file. */
const guard: Pick<OodGuard, 'check'> = {
  async check(file) {
    if (file.includes('broken')) throw new Error(`${file}: cannot score`);
    const anomalyScore = file.includes('odd') ? 20 : 5;
    return { anomalyScore, threshold: 10, ...(anomalyScore >= 10 ? { flag: OUT_OF_DISTRIBUTION } : {}) };
  },
};

const ok = (file: string): ClassifyRow => ({ file, labels: ['a'], probabilities: [1], top: { label: 'a', probability: 1 }, notes: ['kept'] });

test('guardRows: scores and threshold on every classified row, the flag only over the threshold', async () => {
  const [plain, odd] = await collect(guardRows(fromArray([ok('plain.png'), ok('odd.png')]), guard));
  assert.deepEqual(plain, { ...ok('plain.png'), anomalyScore: 5, anomalyThreshold: 10 });
  assert.deepEqual(odd, { ...ok('odd.png'), anomalyScore: 20, anomalyThreshold: 10, flag: 'input unlike the training data' });
});

test('guardRows: error rows pass untouched; a guard failure becomes a note and the row stays, in order', async () => {
  const rows = await collect(guardRows(fromArray([{ file: 'bad.png', error: 'bad.png: cannot decode' }, ok('broken.png'), ok('odd.png')]), guard));
  assert.deepEqual(
    rows.map((r) => r.file),
    ['bad.png', 'broken.png', 'odd.png'],
  );
  assert.deepEqual(rows[0], { file: 'bad.png', error: 'bad.png: cannot decode' });
  assert.deepEqual(rows[1]!.notes, ['kept', 'anomaly score failed: broken.png: cannot score']);
  assert.equal(rows[1]!.anomalyScore, undefined);
  assert.equal(rows[1]!.error, undefined);
  assert.equal(rows[2]!.flag, OUT_OF_DISTRIBUTION);
});

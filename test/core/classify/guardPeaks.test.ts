import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OUT_OF_DISTRIBUTION, type OodGuard } from '../../../src/core/anomaly/oodGuard';
import type { AnomalyScorer } from '../../../src/core/anomaly/scorer';
import { classifyVolume } from '../../../src/core/classify/classifyVolume';
import { LESION_SLICE } from '../../helpers/guardedVolume';
import { guardedVolumeBed } from '../../helpers/guardedVolumeBed';

const bed = guardedVolumeBed('guard-peaks');

/** The real scorer, recording which slices it is asked for; `failOn` slices throw, as a scorer does on a slice it cannot read. */
function recording(failOn: readonly number[] = []): { guard: Pick<OodGuard, 'scorer'>; asked: number[] } {
  const asked: number[] = [];
  const scorer: AnomalyScorer = {
    ...bed.guard.scorer,
    async scoreSlice(volume, index, threshold) {
      asked.push(index);
      if (failOn.includes(index)) throw new Error(`slice ${index}: cannot score`);
      return bed.guard.scorer.scoreSlice(volume, index, threshold);
    },
  };
  return { guard: { scorer }, asked };
}

// Normal slices pass only upright: the detector flags normal-04 as stored (turned), so this also shows the guard judges the slices the classifier saw.
test('classifyVolume with a guard: each distinct peak slice scored once; the lesion slice flagged, normal peak slices passed', async () => {
  const { guard: counted, asked } = recording();
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: counted, batchSize: 2 });
  const distinct = [...new Set(row.peaks.map((p) => p.slice))].sort((a, b) => a - b);
  assert.ok(distinct.length < row.peaks.length, `classes share a peak slice: ${row.peaks.map((p) => `${p.label}@${p.slice}`).join(' ')}`);
  assert.deepEqual(asked, distinct, 'one scoring per distinct peak slice');
  assert.equal(row.peaks.find((p) => p.label === 'meningioma')!.slice, LESION_SLICE);
  for (const peak of row.peaks) {
    assert.ok(peak.anomalyScore !== undefined && peak.anomalyThreshold !== undefined, `${peak.label} has a verdict`);
    if (peak.slice === LESION_SLICE) {
      assert.ok(peak.anomalyScore >= peak.anomalyThreshold);
      assert.equal(peak.flag, OUT_OF_DISTRIBUTION);
    } else {
      assert.ok(peak.anomalyScore < peak.anomalyThreshold, `${peak.label}@${peak.slice} scored ${peak.anomalyScore}`);
      assert.equal('flag' in peak, false);
    }
  }
  assert.equal(row.notes, undefined);
});

test('classifyVolume without a guard: peaks as before, no verdict, no notes', async () => {
  const row = await classifyVolume(bed.model, bed.scan, 'axial');
  for (const peak of row.peaks) assert.deepEqual(Object.keys(peak), ['label', 'slice', 'probability']);
  assert.equal('notes' in row, false);
});

test('a cancelled volume: only the peaks of the slices classified so far are scored', async () => {
  const { guard: counted, asked } = recording();
  const stop = new AbortController();
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: counted, batchSize: 2, signal: stop.signal, onProgress: () => stop.abort() });
  assert.deepEqual(
    row.slices.map((s) => s.slice),
    [0, 1],
  );
  assert.ok(asked.length > 0 && asked.every((s) => s < 2), `scored ${asked.join(', ')}`);
  assert.ok(
    row.peaks.every((p) => p.slice < 2 && p.anomalyScore !== undefined && p.flag === undefined),
    'the lesion slice was never reached',
  );
});

test('a guard that fails on a slice: its peaks keep their classification without a verdict, and a note says why', async () => {
  const { guard: failing } = recording([LESION_SLICE]);
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: failing });
  const onLesion = row.peaks.filter((p) => p.slice === LESION_SLICE);
  assert.ok(onLesion.length > 0);
  for (const peak of onLesion) {
    assert.ok(peak.probability > 0);
    assert.equal(peak.anomalyScore, undefined);
    assert.equal(peak.flag, undefined);
  }
  assert.ok(
    row.peaks.some((p) => p.slice !== LESION_SLICE && p.anomalyScore !== undefined),
    'other slices still judged',
  );
  assert.deepEqual(row.notes, [`anomaly score failed on slice index ${LESION_SLICE}: slice ${LESION_SLICE}: cannot score`]);
});

test('a volume stopped before its first slice: no slices and no peaks, nothing scored (not slice -1 at probability -Infinity)', async () => {
  const { guard: counted, asked } = recording();
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: counted, signal: AbortSignal.abort() });
  assert.deepEqual([row.slices, row.peaks, asked], [[], [], []]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OodGuard } from '../../../src/core/anomaly/oodGuard';
import { classifyVolume, type VolumeRow } from '../../../src/core/classify/classifyVolume';
import { describeModel } from '../../../src/core/report/classifyReport';
import { peakLine, volumeDetailsMarkdown, volumeWarning } from '../../../src/core/report/detailsMarkdown';
import { outOfDistributionWarning } from '../../../src/core/vocabulary/outOfDistribution';
import { LESION_SLICE, VOLUME_SLICES } from '../../helpers/guardedVolume';
import { guardedVolumeBed } from '../../helpers/guardedVolumeBed';

const bed = guardedVolumeBed('volume-details');
/** Slices as Details and notifications name them: from 1, out of the slices classified. */
const shown = (slice: number): string => `${slice + 1}/${VOLUME_SLICES.length}`;

test('a guarded volume: the notification line marks the flagged peaks and ends with the warning; Details leads with it and adds a check column', async () => {
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: bed.guard });
  const lesion = row.peaks.find((p) => p.slice === LESION_SLICE)!;
  const others = row.peaks.filter((p) => p.slice !== LESION_SLICE);
  const line = peakLine(row);
  for (const p of row.peaks) assert.ok(line.includes(`${p.label} ${p.probability.toFixed(2)} at slice ${shown(p.slice)}${p.slice === LESION_SLICE ? ' ⚠' : ''}`), line);
  assert.equal(line.split('⚠').length - 1, row.peaks.length - others.length, line);

  const warning = outOfDistributionWarning(lesion.anomalyScore!, lesion.anomalyThreshold!);
  assert.equal(volumeWarning(row), `slice ${shown(LESION_SLICE)}: ${warning}`);

  const markdown = volumeDetailsMarkdown(row, describeModel(bed.model));
  const quote = markdown.indexOf('> ⚠️ **Out of distribution: 1 of 3 peak slice(s)**');
  const table = markdown.indexOf('| Class | Peak probability | Slice | Out-of-distribution check |');
  assert.ok(quote > 0 && table > quote, 'the warning comes before the peaks it qualifies');
  assert.ok(
    markdown.includes(
      `> - slice ${shown(LESION_SLICE)} (peak of ${row.peaks
        .filter((p) => p.slice === LESION_SLICE)
        .map((p) => p.label)
        .join(', ')}): ${warning}`,
    ),
  );
  assert.match(markdown, new RegExp(`\\| meningioma \\| [\\d.]+% \\| ${shown(LESION_SLICE)} \\| ⚠ anomaly score [\\d.]+ ≥ threshold [\\d.]+ \\|`));
  for (const p of others) assert.match(markdown, new RegExp(`\\| ${p.label} \\| [\\d.]+% \\| ${shown(p.slice)} \\| anomaly score [\\d.]+ < threshold [\\d.]+ \\|`));
});

test('several flagged peak slices: the notification carries the full warning once and names the other flagged slices', async () => {
  // The same detector judged against a lower threshold, so a normal peak slice is flagged too.
  const strict: Pick<OodGuard, 'scorer'> = { scorer: { ...bed.guard.scorer, scoreSlice: (volume, index) => bed.guard.scorer.scoreSlice(volume, index, 6) } };
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: strict });
  const flagged = [...new Set(row.peaks.filter((p) => p.flag).map((p) => p.slice))];
  assert.ok(flagged.length >= 2, `flagged slices ${flagged.join(', ')}`);
  const top = [...row.peaks].sort((a, b) => b.probability - a.probability).find((p) => p.flag)!;
  const rest = flagged
    .filter((s) => s !== top.slice)
    .map((s) => `slice ${shown(s)}`)
    .join(', ');
  assert.equal(volumeWarning(row), `slice ${shown(top.slice)}: ${outOfDistributionWarning(top.anomalyScore!, 6)} Also flagged: ${rest}.`);
});

test('an unguarded volume: no mark, no warning, Details as before', async () => {
  const row: VolumeRow = await classifyVolume(bed.model, bed.scan, 'axial');
  assert.doesNotMatch(peakLine(row), /⚠/);
  assert.equal(volumeWarning(row), undefined);
  const markdown = volumeDetailsMarkdown(row, describeModel(bed.model));
  assert.ok(markdown.includes('\n\n| Class | Peak probability | Slice |\n|---|---|---|\n'));
  assert.doesNotMatch(markdown, /Out of distribution|Out-of-distribution|⚠|Notes:/);
});

test('a guard that failed on a peak slice: Details keeps the peak, with an empty check and the note', async () => {
  const failing: Pick<OodGuard, 'scorer'> = {
    scorer: { ...bed.guard.scorer, scoreSlice: (volume, index) => (index === LESION_SLICE ? Promise.reject(new Error('cannot score')) : bed.guard.scorer.scoreSlice(volume, index)) },
  };
  const row = await classifyVolume(bed.model, bed.scan, 'axial', { guard: failing });
  const markdown = volumeDetailsMarkdown(row, describeModel(bed.model));
  assert.match(markdown, new RegExp(`\\| meningioma \\| [\\d.]+% \\| ${shown(LESION_SLICE)} \\|  \\|`));
  assert.ok(markdown.includes(`Notes:\n- anomaly score failed on slice index ${LESION_SLICE}: cannot score\n`));
  assert.equal(volumeWarning(row), undefined);
});

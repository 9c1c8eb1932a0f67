/**
 * The guard's verdict on a volume's peak slices, in the words of
 * outOfDistribution.ts, for every view of a volume result (CLI text,
 * notification and Details, notebook renderer and plain copies).
 */

import { markdownText } from '../text/escape';
import { OUT_OF_DISTRIBUTION_TITLE, verdictLine, warningFor, type GuardFields } from './outOfDistribution';

/** A class's peak slice as every volume result carries it. */
export type Peak = GuardFields & { readonly label: string; readonly slice: number };

/** How a view names a slice: the CLI and notebooks by the engine's 0-based index, Details and notifications "87/181". */
export type SliceName = (slice: number) => string;

/** A scored peak slice and the classes that peak on it. */
interface SliceVerdict {
  readonly peak: Peak;
  readonly labels: readonly string[];
}

/** The distinct peak slices the guard scored, in slice order: classes peaking together share one verdict. */
function scoredSlices(peaks: readonly Peak[]): SliceVerdict[] {
  const bySlice = new Map<number, { peak: Peak; labels: string[] }>();
  for (const peak of peaks) {
    if (peak.anomalyScore === undefined) continue;
    const entry = bySlice.get(peak.slice);
    if (entry) entry.labels.push(peak.label);
    else bySlice.set(peak.slice, { peak, labels: [peak.label] });
  }
  return [...bySlice.values()].sort((a, b) => a.peak.slice - b.peak.slice);
}

/** " ⚠" after a peak whose slice the guard flagged, so the eye finds it among the others. */
export function peakMark(peak: Peak): string {
  return warningFor(peak) ? ' ⚠' : '';
}

/**
 * The guard's verdict on each peak slice, for one-line results (CLI text, a
 * notebook's plain text): "slice 4: ⚠ Out of distribution (…)", two spaces
 * apart; undefined when no slice was scored (no guard, or it failed).
 */
export function peakVerdictsLine(peaks: readonly Peak[], name: SliceName): string | undefined {
  const line = scoredSlices(peaks)
    .map(({ peak }) => `slice ${name(peak.slice)}: ${verdictLine(peak)!}`)
    .join('  ');
  return line || undefined;
}

/** The full warning for each flagged peak slice, naming the classes that peak there; empty when none is flagged. */
export function peakWarnings(peaks: readonly Peak[], name: SliceName, label: (text: string) => string = (text) => text): string[] {
  return scoredSlices(peaks).flatMap(({ peak, labels }) => {
    const warning = warningFor(peak);
    return warning ? [`slice ${name(peak.slice)} (peak of ${labels.map(label).join(', ')}): ${warning}`] : [];
  });
}

/** "Out of distribution: 1 of 3 peak slice(s)", heading the warnings; undefined when none is flagged. */
export function peakWarningsTitle(peaks: readonly Peak[]): string | undefined {
  const flagged = peakWarnings(peaks, String).length;
  return flagged > 0 ? `${OUT_OF_DISTRIBUTION_TITLE}: ${flagged} of ${scoredSlices(peaks).length} peak slice(s)` : undefined;
}

/** The flagged peak slices as a markdown quote (labels through markdownText), title first, for Details and a notebook's markdown copy; empty when none is flagged. */
export function peakWarningsQuote(peaks: readonly Peak[], name: SliceName): string[] {
  const title = peakWarningsTitle(peaks);
  if (title === undefined) return [];
  return [`> ⚠️ **${title}**`, '>', ...peakWarnings(peaks, name, markdownText).map((w) => `> - ${w}`), ''];
}

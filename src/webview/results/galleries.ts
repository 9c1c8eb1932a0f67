import type { ResultsEntry } from '../../protocol/resultsMessages';

/** Scans per gallery: a strip a reader takes in at a glance. */
export const GALLERY_SIZE = 12;

/** Labelled rows the model got wrong, the most confident first. */
export function confidentlyWrong(entries: readonly ResultsEntry[], size = GALLERY_SIZE): number[] {
  const wrong = entries.flatMap((e, i) => (e.truth !== undefined && e.top !== undefined && e.top.label !== e.truth ? [i] : []));
  return wrong.sort((i, j) => entries[j]!.top!.probability - entries[i]!.top!.probability || i - j).slice(0, size);
}

/** Classified rows by entropy of their probabilities, the highest (least decided) first. */
export function mostUncertain(entries: readonly ResultsEntry[], size = GALLERY_SIZE): number[] {
  const scored = entries.flatMap((e, i) => (e.entropy !== undefined ? [i] : []));
  return scored.sort((i, j) => entries[j]!.entropy! - entries[i]!.entropy! || i - j).slice(0, size);
}

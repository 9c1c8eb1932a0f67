import type { FailureRecord } from './protocol';

/**
 * Failures the fuzzer found in code outside this harness's ownership, while
 * their fix is pending: CI reports them (as test diagnostics) instead of
 * failing, and fails on anything new. Delete an entry once its fix lands.
 */
export interface KnownFinding {
  readonly target: string;
  readonly matches: RegExp;
  /** What is wrong, and the fix. */
  readonly note: string;
}

export const KNOWN_FINDINGS: readonly KnownFinding[] = [
  {
    target: 'header',
    matches: /^threw a non-Error value: groupSeries threw, though it keeps unreadable files single: dicomParser\.readFixedString: attempt to read past end of buffer$/,
    note: "groupSeries (src/core/scan/dicomSeries.ts) reads NumberOfFrames with dataSet.intString('x00280008') outside readDicomHeader's catch; when that element's length runs past the end of the file, dicom-parser throws a bare string, which ends the whole folder's grouping (classify/findVolume) without naming the file. Reproducer: test/fixtures/fuzz-seeds/findings/frames-past-end.dcm (613 bytes, from seed 7, iteration 2198 of multiframe-implicit-8bit.dcm). Fix: read the tags groupSeries needs inside a per-file try (a failure keeps the file single, so it becomes an error row), or have readDicomHeader refuse elements that run past the bytes read.",
  },
];

export function knownFinding(failure: FailureRecord): KnownFinding | undefined {
  return KNOWN_FINDINGS.find((known) => known.target === failure.target && known.matches.test(failure.reason));
}

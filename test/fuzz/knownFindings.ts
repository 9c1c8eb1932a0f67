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

export const KNOWN_FINDINGS: readonly KnownFinding[] = [];

export function knownFinding(failure: FailureRecord): KnownFinding | undefined {
  return KNOWN_FINDINGS.find((known) => known.target === failure.target && known.matches.test(failure.reason));
}

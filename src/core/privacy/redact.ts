import { isIdentifying } from './basicProfile';

/** What shows in place of an identifying value. */
export const REDACTED = '[redacted]';

export interface PrivacyOptions {
  /** Show identifying values (names, IDs, dates of birth, ...) on purpose. */
  readonly revealIdentifying?: boolean;
}

/** A tag's value for output: the value itself, or REDACTED when it identifies someone and revealing was not asked for. */
export function redactValue(tag: string, value: string | number, options: PrivacyOptions = {}): string | number {
  return !options.revealIdentifying && isIdentifying(tag) ? REDACTED : value;
}

import { oneLine } from '../../src/core/errors';

/**
 * The fuzz oracle: which thrown values are the one-line errors ScanLens
 * promises, and which are bugs. Returns undefined for an acceptable error,
 * else why it is not.
 */

/** Messages the JavaScript engine writes itself. Right after the file prefix they mean a bug was wrapped, not handled. */
const ENGINE_MESSAGES =
  /^(Cannot read propert(y|ies) of|Cannot set propert(y|ies) of|.* is not a function|.* is not iterable|.* is not a constructor|Maximum call stack|Invalid array length|Invalid typed array length|Array buffer allocation failed|Offset is outside the bounds|Start offset .* is outside the bounds|Invalid string length)/;

/** The fake patient in the DICOM seeds (scripts/reference/make_scan_fixtures.py): never in an error, whatever the bytes. */
export const FAKE_PHI = ['DOE^JANE', 'PAT-12345', '19700101', 'HOUSE^GREGORY', 'General Hospital of Somewhere'];

export function judge(error: unknown, file: string, parserNeverThrows: boolean): string | undefined {
  if (parserNeverThrows) return `threw although it reports mistakes in its result: ${describe(error)}`;
  if (!(error instanceof Error)) return `threw a non-Error value: ${describe(error)}`;
  const isOurs = error.name === 'ScanLensError';
  // Boundaries (CLI, notebook, host) flatten our errors with oneLine(); anything else must already be one line.
  if (!isOurs && error.message.includes('\n')) return `${error.name} message spans several lines: ${JSON.stringify(error.message.slice(0, 300))}`;
  if (!isOurs && !error.message.includes(file)) return `${error.name} does not name the file: ${error.message}`;
  const shown = oneLine(error);
  const phi = FAKE_PHI.find((value) => shown.includes(value));
  if (phi) return `error message shows patient data ('${phi}'): ${shown.slice(0, 300)}`;
  const reason = shown.startsWith(`${file}: `) ? shown.slice(file.length + 2) : shown;
  if (ENGINE_MESSAGES.test(reason)) return `an engine error reached the user without context: ${shown.slice(0, 300)}`;
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}

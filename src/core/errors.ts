/**
 * An error meant for a person: one line that names the file (when there is
 * one) and the reason. Anything else thrown inside the engine is a bug and is
 * reported with its own message, never a stack trace.
 */
export class ScanLensError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'ScanLensError';
  }
}

/** The one-line text to show for anything caught at a boundary. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** Re-throws a caught error as a ScanLensError about `file`, keeping an existing file prefix. */
export function aboutFile(file: string, error: unknown): ScanLensError {
  if (error instanceof ScanLensError && error.file) return error;
  return new ScanLensError(oneLine(error), file);
}

import * as vscode from 'vscode';
import { oneLine } from '../core/errors';
import type { OutputLog } from './outputLog';

/** What a command returns when it fails: the one line the user was shown. */
export interface CommandFailure {
  readonly error: string;
}

/**
 * Runs a command body so that any failure becomes one error notification and
 * one log line (never a stack trace), and the caller gets it back as a value.
 */
export async function guarded<T>(name: string, log: OutputLog, body: () => Promise<T>): Promise<T | CommandFailure> {
  try {
    return await body();
  } catch (error) {
    const message = oneLine(error);
    log.line(`${name}: failed: ${message}`);
    void vscode.window.showErrorMessage(`ScanLens: ${message}`);
    return { error: message };
  }
}

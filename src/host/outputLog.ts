import * as vscode from 'vscode';

export interface OutputLog {
  /** One line per action, time-stamped, in the "ScanLens" output channel. */
  line(text: string): void;
}

export function createOutputLog(context: vscode.ExtensionContext): OutputLog {
  const channel = vscode.window.createOutputChannel('ScanLens');
  context.subscriptions.push(channel);
  return {
    line(text) {
      channel.appendLine(`${new Date().toISOString()} ${text}`);
    },
  };
}

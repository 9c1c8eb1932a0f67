import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('scanlens.showVersion', () => {
      const version = String(context.extension.packageJSON.version ?? 'unknown');
      void vscode.window.showInformationMessage(`ScanLens ${version}: a research tool, not a medical device.`);
    }),
  );
}

export function deactivate(): void {}

import * as vscode from 'vscode';
import { MODEL_SETTING, activeModel } from './activeModel';

/** Shows the active model; a click opens "Select Model". Refreshes on setting and trust changes. */
export function createModelStatusBar(context: vscode.ExtensionContext): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('scanlens.model', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ScanLens Model';
  item.command = 'scanlens.selectModel';
  const refresh = (): void => {
    const model = activeModel(context);
    item.text = `$(pulse) ${model.label}`;
    item.tooltip = model.restrictedReason ?? `ScanLens model: ${model.path}\nClick to select another model.`;
    item.backgroundColor = model.restrictedReason ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  refresh();
  item.show();
  context.subscriptions.push(
    item,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(MODEL_SETTING)) refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(refresh),
  );
  return item;
}

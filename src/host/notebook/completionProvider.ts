import * as vscode from 'vscode';
import type { CompletionKind, LineCompletion } from './completeLine';
import { notebookBaseDir, notebookOfCell } from './notebookBaseDir';

export type CellCompletions = (baseDir: string, line: string, cursor: number) => Promise<{ start: number; items: LineCompletion[] }>;

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  command: vscode.CompletionItemKind.Function,
  subcommand: vscode.CompletionItemKind.Method,
  option: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  path: vscode.CompletionItemKind.File,
};

/** Completion in `scanlens` cells; the specs come from the lazily loaded engine bundle on first use. */
export function registerCompletionProvider(context: vscode.ExtensionContext, load: () => CellCompletions): void {
  const provider: vscode.CompletionItemProvider = {
    async provideCompletionItems(document, position) {
      const notebook = notebookOfCell(document);
      const baseDir = notebook ? notebookBaseDir(notebook) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '.');
      const line = document.lineAt(position.line).text;
      const found = await load()(baseDir, line, position.character);
      const range = new vscode.Range(position.line, found.start, position.line, position.character);
      return found.items.map((item) => {
        const completion = new vscode.CompletionItem(item.label, item.kind === 'path' && item.label.endsWith('/') ? vscode.CompletionItemKind.Folder : KINDS[item.kind]);
        completion.range = range;
        if (item.detail) completion.detail = item.detail;
        if (item.documentation) completion.documentation = item.documentation;
        // Accepting `option=` or a folder goes straight on to its value or contents.
        if (item.label.endsWith('=') || item.label.endsWith('/')) completion.command = { command: 'editor.action.triggerSuggest', title: 'more' };
        return completion;
      });
    },
  };
  context.subscriptions.push(vscode.languages.registerCompletionItemProvider({ language: 'scanlens' }, provider, ' ', '=', '/'));
}

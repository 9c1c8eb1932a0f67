import * as vscode from 'vscode';
import type { ClassifyRow } from '../core/classify/classify';
import { detailsMarkdown } from '../core/report/detailsMarkdown';

/** Opens one result in an untitled markdown document (nothing is written to disk). */
export async function openDetails(row: ClassifyRow, model: Record<string, unknown>): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: detailsMarkdown(row, model) });
  await vscode.window.showTextDocument(document, { preview: true });
  return document;
}

import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../protocol/notebookResult';
import type { IpynbNotebook, IpynbOutput } from './ipynbSchema';
import { sourceText } from './readNotebook';

/** One disagreement between a saved notebook and a fresh run. */
export interface OutputDifference {
  /** Index among all cells, from 0. */
  readonly cell: number;
  readonly where: string;
  readonly message: string;
}

type Comparable = { readonly result: unknown } | { readonly error: string };

/** What --check compares in a cell: our +json payloads and error messages, in order; pictures, text and metadata are derived or volatile. */
function comparables(outputs: readonly IpynbOutput[]): Comparable[] {
  return outputs.flatMap((o): Comparable[] => {
    if (o.output_type === 'error') return [{ error: String(o['evalue']) }];
    const data = o['data'] as Record<string, unknown> | undefined;
    return data && SCANLENS_RESULT_MIME in data ? [{ result: data[SCANLENS_RESULT_MIME] }] : [];
  });
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Walks two JSON values; numbers may differ by `tolerance` (absolute), everything else must match. */
function diffValues(saved: unknown, fresh: unknown, path: string, tolerance: number, out: string[]): void {
  if (typeof saved === 'number' && typeof fresh === 'number') {
    if (!(Math.abs(saved - fresh) <= tolerance)) out.push(`${path}: saved ${saved} → now ${fresh} (off by ${Math.abs(saved - fresh).toExponential(2)})`);
    return;
  }
  if (Array.isArray(saved) && Array.isArray(fresh)) {
    if (saved.length !== fresh.length) {
      out.push(`${path}: saved ${saved.length} items → now ${fresh.length}`);
      return;
    }
    saved.forEach((v, i) => diffValues(v, fresh[i], `${path}[${i}]`, tolerance, out));
    return;
  }
  if (saved && fresh && typeof saved === 'object' && typeof fresh === 'object' && !Array.isArray(saved) && !Array.isArray(fresh)) {
    const keys = new Set([...Object.keys(saved), ...Object.keys(fresh)]);
    for (const key of keys) diffValues((saved as Record<string, unknown>)[key], (fresh as Record<string, unknown>)[key], path ? `${path}.${key}` : key, tolerance, out);
    return;
  }
  if (saved !== fresh) out.push(`${path || 'value'}: saved ${show(saved)} → now ${show(fresh)}`);
}

/**
 * Compares the numbers of a saved notebook with a fresh run of it, code cell
 * by code cell. Saved payloads are checked against the protocol schema first,
 * so a hand-edited output is reported rather than trusted.
 */
export function compareNotebooks(saved: IpynbNotebook, fresh: IpynbNotebook, tolerance: number): OutputDifference[] {
  const differences: OutputDifference[] = [];
  fresh.cells.forEach((cell, index) => {
    const old = saved.cells[index];
    if (cell.cell_type !== 'code' || old?.cell_type !== 'code') return;
    const firstLine =
      sourceText(cell.source)
        .split('\n')
        .find((l) => l.trim() !== '' && !l.trim().startsWith('#'))
        ?.trim() ?? '';
    const add = (where: string, message: string): void => void differences.push({ cell: index, where: firstLine ? `${where} (${firstLine})` : where, message });
    const before = comparables(old.outputs);
    const after = comparables(cell.outputs);
    if (before.length === 0 && after.length > 0) return add(`cell ${index + 1}`, 'no saved outputs to compare: run the notebook first');
    if (before.length !== after.length) return add(`cell ${index + 1}`, `saved ${before.length} result(s) → now ${after.length}`);
    before.forEach((b, k) => {
      const a = after[k]!;
      const where = `cell ${index + 1}, result ${k + 1}`;
      if ('error' in b || 'error' in a) {
        if (!('error' in b && 'error' in a) || b.error !== a.error) add(where, `saved ${'error' in b ? `error "${b.error}"` : 'a result'} → now ${'error' in a ? `error "${a.error}"` : 'a result'}`);
        return;
      }
      const valid = NotebookResultSchema.safeParse(b.result);
      if (!valid.success) return add(where, `saved output is not a valid ScanLens result (${valid.error.issues[0]!.path.join('.')}: ${valid.error.issues[0]!.message})`);
      const found: string[] = [];
      diffValues(valid.data, a.result, '', tolerance, found);
      for (const message of found.slice(0, 10)) add(where, message);
      if (found.length > 10) add(where, `… and ${found.length - 10} more`);
    });
  });
  return differences;
}

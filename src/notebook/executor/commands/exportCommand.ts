import { extname } from 'node:path';
import { ScanLensError } from '../../../core/errors';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { displayOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import { tableCsv, tableJson } from '../../outputs/tableFiles';
import type { CommandOf, CommandRunner } from '../commandContext';
import { writeExport } from '../exportLedger';
import { parametersOf } from './parameters';

/**
 * `export <file.csv|file.json>`: the last table (classify, evaluate, anomaly score or eval) written
 * atomically inside the notebook's scope. Under `run --check` nothing is
 * written; the output is the one a real export would give, so it compares.
 */
export const exportCommand: CommandRunner<CommandOf<'export'>> = async ({ command, session }) => {
  const last = session.lastTable;
  if (!last) throw new ScanLensError('nothing to export yet: run classify, evaluate or anomaly score|eval first');
  const { path, file } = await session.writePath(command.args[0]!);
  const ext = extname(path).toLowerCase().slice(1);
  const format = command.options.format ?? (ext === 'csv' || ext === 'json' ? ext : undefined);
  if (format === undefined) throw new ScanLensError(`cannot tell the format from '${file}'; name it .csv or .json, or add format=csv|json`);
  const content = format === 'csv' ? tableCsv(last.table) : tableJson(last.table);
  if (!session.options.dryRun) await writeExport(path, file, content, command.options.overwrite === 'true');
  const result: NotebookResult = { kind: 'export', file, format: format as 'csv' | 'json', rows: last.table.rows.length };
  return [displayOutput({ result, text: `wrote ${last.table.rows.length} ${last.name} row(s) to ${file}` }, provenance(command.text, parametersOf(command), undefined))];
};

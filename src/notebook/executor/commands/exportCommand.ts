import { lstat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ScanLensError } from '../../../core/errors';
import { writeFileAtomic } from '../../../core/io/atomicWrite';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { displayOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import { tableCsv, tableJson } from '../../outputs/tableFiles';
import type { CommandOf, CommandRunner } from '../commandContext';
import { displayPath, resolvePath } from '../resolveInputs';
import { parametersOf } from './parameters';

/** `export <file.csv|file.json>`: the last table (classify or evaluate) written atomically. */
export const exportCommand: CommandRunner<CommandOf<'export'>> = async ({ command, session }) => {
  const last = session.lastTable;
  if (!last) throw new ScanLensError('nothing to export yet: run classify or evaluate first');
  const path = resolvePath(session.baseDir, command.args[0]!);
  const file = displayPath(session.baseDir, path);
  const ext = extname(path).toLowerCase().slice(1);
  const format = command.options.format ?? (ext === 'csv' || ext === 'json' ? ext : undefined);
  if (format === undefined) throw new ScanLensError(`cannot tell the format from '${file}'; name it .csv or .json, or add format=csv|json`);
  // The atomic write renames over the target: never over a device, folder or link.
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !existing.isFile()) throw new ScanLensError(`${file} exists and is not a regular file`);
  await writeFileAtomic(path, format === 'csv' ? tableCsv(last.table) : tableJson(last.table));
  const result: NotebookResult = { kind: 'export', file, format: format as 'csv' | 'json', rows: last.table.rows.length };
  return [displayOutput({ result, text: `wrote ${last.table.rows.length} ${last.name} row(s) to ${file}` }, provenance(command.text, parametersOf(command), undefined))];
};

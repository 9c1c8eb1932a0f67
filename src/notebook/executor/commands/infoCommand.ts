import { aboutFile } from '../../../core/errors';
import { DEFAULT_LIMITS } from '../../../core/scan/limits';
import { loadScan } from '../../../core/scan/loadScan';
import { scanStats } from '../../../core/scan/scanStats';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandOf, CommandRunner } from '../commandContext';
import { parametersOf } from './parameters';

/** `info <file>`: format, size and value statistics — never the file's descriptive metadata, which may identify a patient. */
export const infoCommand: CommandRunner<CommandOf<'info'>> = async ({ command, session }) => {
  const { path, file } = await session.readPath(command.args[0]!);
  const scan = await loadScan(path, DEFAULT_LIMITS).catch((error: unknown) => {
    throw aboutFile(file, error);
  });
  const [depth, height, width] = scan.shape;
  const stats = scanStats(scan);
  const result: NotebookResult = {
    kind: 'info',
    file,
    format: scan.format,
    shape: { depth, height, width },
    channels: scan.channels,
    bitsPerSample: scan.bitsPerSample,
    spacing: scan.spacing ? [...scan.spacing] : null,
    stats,
  };
  const size = `${width}×${height}${depth > 1 ? `×${depth}` : ''}`;
  const table = {
    columns: ['file', 'format', 'size', 'bits', 'channels', 'min', 'max', 'mean', 'std'],
    rows: [[file, scan.format, size, scan.bitsPerSample, scan.channels, stats.min, stats.max, stats.mean, stats.std]],
  };
  const text = `${file}: ${scan.format.toUpperCase()} ${size}, ${scan.bitsPerSample}-bit, min ${stats.min} max ${stats.max} mean ${stats.mean.toFixed(3)}`;
  return [displayOutput({ result, markdown: markdownTable(table), text }, provenance(command.text, parametersOf(command), undefined))];
};

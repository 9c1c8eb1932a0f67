import { Command, Option } from 'commander';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { stat } from 'node:fs/promises';
import { loadSeriesFolder } from '../core/scan/dicomSeries';
import { loadScan } from '../core/scan/loadScan';
import type { Scan } from '../core/scan/scan';
import { expandInputs } from './expandInputs';
import { scanStats } from '../core/scan/scanStats';
import { SCANLENS_VERSION } from '../core/version';
import { parsePositiveInt } from './modelOption';
import { printJson, printLine } from './output';

interface InfoFlags {
  readonly json?: boolean;
  readonly maxPixels: number;
  readonly revealPhi?: boolean;
  readonly volume: number;
}

async function load(target: string, flags: InfoFlags): Promise<Scan> {
  const limits = { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels };
  const privacy = { revealIdentifying: flags.revealPhi === true };
  if ((await stat(target).catch(() => undefined))?.isDirectory()) {
    return loadSeriesFolder(target, (await expandInputs([target])).files, limits, privacy);
  }
  return loadScan(target, limits, { ...privacy, volume: flags.volume });
}

async function run(file: string, flags: InfoFlags): Promise<void> {
  const scan = await load(file, flags);
  const [depth, height, width] = scan.shape;
  const stats = scanStats(scan);
  const info = {
    file,
    format: scan.format,
    shape: { depth, height, width },
    channels: scan.channels,
    bitsPerSample: scan.bitsPerSample,
    dtype: scan.voxels.constructor.name.replace(/Array$/, '').toLowerCase(),
    transferSyntax: scan.metadata.transferSyntax ?? null,
    rescale: scan.rescale ?? null,
    windowPresets: scan.windowPresets ?? [],
    valueRange: scan.valueRange,
    spacing: scan.spacing ?? null,
    window: scan.window,
    stats,
    metadata: scan.metadata,
  };
  if (flags.json) {
    printJson({ scanlens: { version: SCANLENS_VERSION }, ...info });
    return;
  }
  const lines = [
    `${file}`,
    `  format     ${scan.format.toUpperCase()}, ${scan.bitsPerSample}-bit ${scan.channels === 1 ? 'grey' : 'RGB'}`,
    `  size       ${width}×${height}${depth > 1 ? `×${depth}` : ''}`,
    `  values     min ${stats.min}  max ${stats.max}  mean ${stats.mean.toFixed(3)}  std ${stats.std.toFixed(3)}`,
    ...(scan.metadata.transferSyntax ? [`  syntax     ${scan.metadata.transferSyntax}`] : []),
    `  window     centre ${scan.window.center}  width ${scan.window.width}`,
    `  spacing    ${scan.spacing ? scan.spacing.join(' × ') + ' mm' : 'not recorded'}`,
  ];
  for (const line of lines) printLine(line);
}

export function infoCommand(): Command {
  return new Command('info')
    .description('describe a scan: format, size, bit depth, value statistics')
    .argument('<file>', 'scan file, or a folder holding a DICOM series')
    .option('--reveal-phi', 'show identifying DICOM tags (patient name, ID, birth date, ...) instead of [redacted]')
    .addOption(new Option('--volume <n>', 'for 4D NIfTI: which volume, from 0').default(0).argParser((v) => (v === '0' ? 0 : parsePositiveInt(v))))
    .option('--json', 'print one JSON document to stdout')
    .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels than this').default(DEFAULT_LIMITS.maxPixels).argParser(parsePositiveInt))
    .action(run);
}

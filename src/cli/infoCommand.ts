import { Command, Option } from 'commander';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { loadScan } from '../core/scan/loadScan';
import { scanStats } from '../core/scan/scanStats';
import { SCANLENS_VERSION } from '../core/version';
import { parsePositiveInt } from './modelOption';
import { printJson } from './output';

interface InfoFlags {
  readonly json?: boolean;
  readonly maxPixels: number;
}

async function run(file: string, flags: InfoFlags): Promise<void> {
  const scan = await loadScan(file, { ...DEFAULT_LIMITS, maxPixels: flags.maxPixels });
  const [depth, height, width] = scan.shape;
  const stats = scanStats(scan);
  const info = {
    file,
    format: scan.format,
    shape: { depth, height, width },
    channels: scan.channels,
    bitsPerSample: scan.bitsPerSample,
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
    `  window     centre ${scan.window.center}  width ${scan.window.width}`,
    `  spacing    ${scan.spacing ? scan.spacing.join(' × ') + ' mm' : 'not recorded'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

export function infoCommand(): Command {
  return new Command('info')
    .description('describe a scan: format, size, bit depth, value statistics')
    .argument('<file>', 'scan file')
    .option('--json', 'print one JSON document to stdout')
    .addOption(new Option('--max-pixels <n>', 'refuse images with more pixels than this').default(DEFAULT_LIMITS.maxPixels).argParser(parsePositiveInt))
    .action(run);
}

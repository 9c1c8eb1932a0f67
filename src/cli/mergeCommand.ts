import { Command } from 'commander';
import { rowError } from '../core/jobs/classifyJob';
import { mergeShards, writeMerged, type ShardFormat } from '../core/report/mergeShards';
import { SCANLENS_VERSION } from '../core/version';
import { CliFailure, EXIT, printJson, printLine } from './output';

interface MergeFlags {
  readonly csv?: string;
  readonly jsonl?: string;
  readonly json?: boolean;
}

const FLAG: Record<ShardFormat, string> = { csv: '--csv', jsonl: '--jsonl' };

async function run(shards: string[], flags: MergeFlags): Promise<number> {
  if (!flags.csv && !flags.jsonl && !flags.json) throw new CliFailure('merge needs --csv FILE, --jsonl FILE or --json: where the merged rows go');
  const merged = await mergeShards(shards);
  const outputs = (['csv', 'jsonl'] as const).flatMap((format) => (flags[format] ? [{ format, path: flags[format] }] : []));
  for (const { format } of outputs) {
    // The merged file is the shards' own bytes, so it can only be in their format.
    if (format !== merged.format) throw new CliFailure(`${FLAG[format]} needs ${format === 'csv' ? 'CSV' : 'JSON Lines'} shards, and ${shards[0]} is not: use ${FLAG[merged.format]}`);
  }
  for (const { path } of outputs) await writeMerged(merged, path);
  for (const note of merged.notes) printLine(`scanlens: ${note}`, process.stderr);
  const failed = merged.rows.filter((row) => rowError(row) !== undefined).length;
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      results: merged.rows,
      summary: { files: merged.rows.length, classified: merged.rows.length - failed, failed, shards: merged.shards },
    });
  } else {
    for (const { path } of outputs) printLine(`merged ${merged.rows.length} row(s) from ${merged.shards.length} shard(s) into ${path}`);
  }
  if (failed > 0) printLine(`scanlens: ${failed} row(s) carry an error: run their shards again with --resume to retry them, then merge again`, process.stderr);
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}

export function mergeCommand(): Command {
  return new Command('merge')
    .description('join the --csv or --jsonl files of classify --shard runs into the file one classify run of the whole set writes')
    .argument('<shards...>', "the shards' result files (all CSV or all JSON Lines)")
    .option('--csv <file>', 'write the merged CSV (from CSV shards), atomically')
    .option('--jsonl <file>', 'write the merged JSON Lines (from JSON Lines shards), atomically')
    .option('--json', 'print one JSON document to stdout: the merged rows and a summary')
    .action(async (shards: string[], flags: MergeFlags) => {
      process.exitCode = await run(shards, flags);
    });
}

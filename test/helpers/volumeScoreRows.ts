import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from './paths';
import { runCli } from './runCli';

/** The demo detector the volume anomaly tests score with. */
export const DEMO_DETECTOR = join(ROOT, 'models', 'brain-mri-demo-padim');

/** A row of `scanlens anomaly score --json` for a volume or one of its slices. */
export interface VolumeScoreRow {
  file: string;
  score: number;
  label: string;
  slice: { axis: string | null; index: number; count: number };
  profile?: number[];
  nifti?: string;
  error?: string;
}

/** `scanlens anomaly score ARGS --detector <demo> --json`'s rows, its exit status checked. */
export function volumeScoreRows(args: readonly string[], status = 0): VolumeScoreRow[] {
  const result = runCli(['anomaly', 'score', ...args, '--detector', DEMO_DETECTOR, '--json']);
  assert.equal(result.status, status, result.stderr);
  return (JSON.parse(result.stdout) as { results: VolumeScoreRow[] }).results;
}

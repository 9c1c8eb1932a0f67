import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGuardedVolume } from './guardedVolume';
import { ROOT } from './paths';

/** The first SeriesInstanceUID of the series fixture, replaced in place (same length) to make a second series. */
const SERIES_UID = '2.25.144907038247500252458165672601552678324';
const OTHER_UID = '2.25.144907038247500252458165672601552678999';

/**
 * The folder a new user points ScanLens at: two PNGs, a NIfTI volume, a DICOM
 * series that decodes (three slices), a second series in the same folder that
 * does not (one of its slices is cut short), a multi-frame DICOM and a corrupt
 * file. Every surface must give the same seven rows for it, the second
 * series' error on its row alone. `root` is the repository (the VS Code suites
 * run bundled under dist/).
 */
export async function writeMixedFolder(folder: string, root = ROOT): Promise<string> {
  mkdirSync(folder, { recursive: true });
  for (const name of ['glioma-01.png', 'notumor-02.png']) copyFileSync(join(root, 'samples', name), join(folder, name));
  await writeGuardedVolume(join(folder, 'volume.nii'), root);
  const series = join(root, 'test', 'fixtures', 'dicom', 'series');
  for (const i of [0, 1, 2]) copyFileSync(join(series, `slice-${i}.dcm`), join(folder, `a-slice-${i}.dcm`));
  for (const i of [0, 1]) {
    const bytes = readFileSync(join(series, `slice-${i}.dcm`));
    const at = bytes.indexOf(SERIES_UID, 0, 'latin1');
    if (at < 0) throw new Error('series fixture without its UID');
    bytes.write(OTHER_UID, at, 'latin1');
    // The second slice loses the end of its pixel data: the whole series fails, naming it.
    writeFileSync(join(folder, `b-slice-${i}.dcm`), i === 1 ? bytes.subarray(0, bytes.length - 1000) : bytes);
  }
  copyFileSync(join(root, 'test', 'fixtures', 'dicom', 'rgb-planar-2frame.dcm'), join(folder, 'multiframe.dcm'));
  writeFileSync(join(folder, 'corrupt.png'), 'not a scan');
  return folder;
}

/** A result row as every surface can show it: which input, what kind, the top class, one probability per class (a volume's peaks), or the error. */
export interface CanonicalRow {
  readonly file: string;
  readonly kind: string;
  readonly top: string | null;
  readonly probabilities: readonly number[] | null;
  readonly error: boolean;
}

/** The row's name from the mixed folder down (surfaces show it from different roots). */
export const fromMixed = (file: string): string => file.slice(file.lastIndexOf('mixed'));

/** A row of `scanlens classify --json` / JSONL, the VS Code folder report and the notebook payload, canonical. */
export function canonical(row: Record<string, unknown>): CanonicalRow {
  const peaks = row['peaks'] as { probability: number }[] | undefined;
  const top = row['top'] as { label: string } | undefined;
  const error = typeof row['error'] === 'string';
  const kind = typeof row['kind'] === 'string' ? (row['kind'] as string) : 'image';
  const probabilities = error ? null : peaks ? peaks.map((p) => p.probability) : (row['probabilities'] as number[]);
  return { file: fromMixed(String(row['file'])), kind, top: error ? null : (top?.label ?? null), probabilities, error };
}

/** Same rows, same numbers: names, kinds, top classes and errors exactly, probabilities within `tolerance`. */
export function assertSameRows(
  actual: readonly CanonicalRow[],
  expected: readonly CanonicalRow[],
  tolerance: number,
  what: string,
  equal: (a: unknown, b: unknown, message: string) => void,
  ok: (value: boolean, message: string) => void,
): void {
  equal(
    actual.map((r) => [r.file, r.kind, r.top, r.error]),
    expected.map((r) => [r.file, r.kind, r.top, r.error]),
    `${what}: rows differ`,
  );
  actual.forEach((row, i) => {
    const want = expected[i]!.probabilities;
    if (!row.probabilities || !want) return ok(row.probabilities === want, `${what}: ${row.file} probabilities`);
    row.probabilities.forEach((p, k) => ok(Math.abs(p - want[k]!) <= tolerance, `${what}: ${row.file} p[${k}] ${p} vs ${want[k]}`));
  });
}

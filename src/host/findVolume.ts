import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { groupSeries, loadDicomSeries } from '../core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { loadScan, readLimited, sniffBuffer } from '../core/scan/loadScan';
import type { Scan } from '../core/scan/scan';
import { SNIFF_BYTES, sniffFormat } from '../core/scan/sniff';

/**
 * A NIfTI or DICOM file that decodes to more than one slice, else undefined.
 * Anything that fails to decode is left to classifyFile, whose error row names the file.
 */
export async function volumeFile(path: string): Promise<Scan | undefined> {
  const format = await readLimited(path, DEFAULT_LIMITS).then(sniffBuffer, () => undefined);
  if (format !== 'nifti' && format !== 'dicom') return undefined;
  const scan = await loadScan(path, DEFAULT_LIMITS).catch(() => undefined);
  return scan && scan.shape[0] > 1 ? scan : undefined;
}

async function isDicom(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return sniffFormat(head.subarray(0, bytesRead)) === 'dicom';
  } finally {
    await handle.close();
  }
}

/**
 * A folder whose files (hidden ones aside) are all slices of one DICOM series,
 * as a volume; else undefined and the folder is a batch. Like the CLI, but only
 * for a folder that is nothing but the series, so a mixed folder keeps its report.
 * Only file heads are read until the first non-DICOM file, so a raster folder costs one read.
 */
export async function seriesFolder(folder: string): Promise<Scan | undefined> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  if (entries.length < 2 || entries.some((e) => !e.isFile())) return undefined;
  const files = entries.map((e) => join(folder, e.name));
  for (const file of files) if (!(await isDicom(file).catch(() => false))) return undefined;
  const { series, single } = await groupSeries(files, DEFAULT_LIMITS);
  if (series.length !== 1 || single.length > 0) return undefined;
  return loadDicomSeries(folder, series[0]!.files, DEFAULT_LIMITS);
}

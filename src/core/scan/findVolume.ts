import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { declaredSlices } from './declaredSlices';
import { groupSeries, loadDicomSeries } from './dicomSeries';
import type { DecodeLimits } from './limits';
import { loadScan } from './loadScan';
import type { Scan } from './scan';
import { sniffFile } from './sniffFile';

/**
 * A file classify routes as a volume, decoded: any NIfTI (a one-slice NIfTI
 * too, as classifyInputs and chooseSlice's isVolume count it: its affine
 * orients the slice, so it is cut in display orientation like every other
 * NIfTI) and a DICOM file whose header declares more than one frame. Else
 * undefined, with only the header read, so a single slice is decoded once,
 * by whatever classifies it. A header that cannot be read is left to that
 * classification too, whose error row names the file.
 */
export async function volumeFile(path: string, limits: DecodeLimits): Promise<Scan | undefined> {
  const format = await sniffFile(path, limits).catch(() => undefined);
  const slices = await declaredSlices(path, limits).catch(() => undefined);
  if (slices === undefined) return undefined;
  return format === 'nifti' || slices > 1 ? loadScan(path, limits) : undefined;
}

/**
 * A folder whose files (hidden ones aside) are all slices of one DICOM series,
 * as a volume; else undefined and the folder is a batch. Like the CLI, but only
 * for a folder that is nothing but the series, so a mixed folder keeps its report.
 * Only file heads are read until the first non-DICOM file, so a raster folder costs one read.
 */
export async function seriesFolder(folder: string, limits: DecodeLimits): Promise<Scan | undefined> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  if (entries.length < 2 || entries.some((e) => !e.isFile())) return undefined;
  const files = entries.map((e) => join(folder, e.name));
  for (const file of files) if ((await sniffFile(file, limits).catch(() => undefined)) !== 'dicom') return undefined;
  const { series, single, multiFrame } = await groupSeries(files, limits);
  if (series.length !== 1 || single.length > 0 || multiFrame.length > 0) return undefined;
  return loadDicomSeries(folder, series[0]!.files, limits);
}

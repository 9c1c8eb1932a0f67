import type { DataSet } from 'dicom-parser';
import { aboutFile } from '../errors';
import { parseDicomBytes } from './dicomParse';
import { DicomStructureError } from './dicomStructure';
import type { DecodeLimits } from './limits';
import { readLimited } from './loadScan';

/** Enough for the header of nearly every file; the rest of a slice is pixel data the caller does not want. */
export const HEADER_PREFIX_BYTES = 64 * 1024;
const PIXEL_DATA = 'x7fe00010';

/**
 * A DICOM file's data set up to (not into) its Pixel Data, reading only a
 * prefix of the file: 64 KiB first, four times more while the header runs
 * past it, the whole file at most. A prefix counts only if parsing reached
 * Pixel Data, so a header cut short never passes for one without pixels
 * (a prefix already over the structure limits is refused at once).
 * Errors (from the whole file only) name the file.
 */
export async function readDicomHeader(path: string, limits: DecodeLimits): Promise<DataSet> {
  try {
    for (let size = HEADER_PREFIX_BYTES; ; size *= 4) {
      const bytes = await readLimited(path, limits, size);
      const whole = bytes.length < size;
      const dataSet = await parseDicomBytes(bytes, path, limits, PIXEL_DATA).catch((error: unknown) => {
        if (whole || error instanceof DicomStructureError) throw error;
        return undefined;
      });
      if (dataSet && (whole || dataSet.elements[PIXEL_DATA])) return dataSet;
    }
  } catch (error) {
    throw aboutFile(path, error);
  }
}

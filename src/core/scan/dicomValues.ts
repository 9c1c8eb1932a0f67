import type { DataSet } from 'dicom-parser';

/**
 * dicom-parser's string(tag, i) and floatString(tag, i) throw a TypeError when
 * i is past the element's last value; these return undefined instead, so a
 * short multi-valued element is "missing", not a crash.
 */
export function stringAt(dataSet: DataSet, tag: string, index: number): string | undefined {
  return index < (dataSet.numStringValues(tag) ?? 0) ? dataSet.string(tag, index) : undefined;
}

export function floatAt(dataSet: DataSet, tag: string, index: number): number | undefined {
  return index < (dataSet.numStringValues(tag) ?? 0) ? dataSet.floatString(tag, index) : undefined;
}

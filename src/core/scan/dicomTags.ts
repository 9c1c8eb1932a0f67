import type { DataSet } from 'dicom-parser';
import { BASIC_PROFILE_TAGS } from '../privacy/basicProfile';
import { redactValue, type PrivacyOptions } from '../privacy/redact';

/** Descriptive attributes that identify no one, shown as they are. */
const DESCRIPTIVE: Readonly<Record<string, string>> = {
  x00080060: 'Modality',
  x00080070: 'Manufacturer',
  x00081090: 'ManufacturerModelName',
  x00180015: 'BodyPartExamined',
  x00180020: 'ScanningSequence',
  x00180050: 'SliceThickness',
  x00180080: 'RepetitionTime',
  x00180081: 'EchoTime',
  x00180087: 'MagneticFieldStrength',
  x00200013: 'InstanceNumber',
  x00280004: 'PhotometricInterpretation',
  x00280100: 'BitsAllocated',
  x00280101: 'BitsStored',
  x00280103: 'PixelRepresentation',
};

const MAX_SHOWN = 256;

function textOf(dataSet: DataSet, tag: string): string | number | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.items || element.length === 0 || element.length > MAX_SHOWN) return undefined;
  if (tag === 'x00280100' || tag === 'x00280101' || tag === 'x00280103') return dataSet.uint16(tag);
  const text = dataSet.string(tag);
  return text === undefined || text === '' ? undefined : text;
}

/**
 * Tags for metadata and reports, keyed by DICOM keyword. Identifying ones
 * (basic de-identification profile) read "[redacted]" unless revealing was
 * asked for; sequences and long values are left out.
 */
export function describeTags(dataSet: DataSet, privacy: PrivacyOptions = {}): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [tag, keyword] of Object.entries(DESCRIPTIVE)) {
    const value = textOf(dataSet, tag);
    if (value !== undefined) out[keyword] = value;
  }
  for (const [tag, keyword] of Object.entries(BASIC_PROFILE_TAGS)) {
    const element = dataSet.elements[tag];
    if (!element) continue;
    const value = textOf(dataSet, tag);
    out[keyword] = redactValue(tag, value ?? '', privacy);
  }
  return out;
}

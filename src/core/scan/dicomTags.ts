import type { DataSet } from 'dicom-parser';
import { BASIC_PROFILE_TAGS } from '../privacy/basicProfile';
import { IdentifyingValues, isComparedTag } from '../privacy/echoes';
import { REDACTED, redactValue, type PrivacyOptions } from '../privacy/redact';

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

/** Control characters other than tab, line feeds and carriage return: bytes, not text. */
function looksBinary(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 9 || (code > 13 && code < 32)) return true;
  }
  return false;
}

/** At most this many values are collected from one file, and its sequences are walked this deep. */
const MAX_COMPARED = 4096;
const MAX_DEPTH = 16;

/**
 * The values of a file's identifying tags (privacy/echoes.ts), from the top
 * level and from inside sequences, for redacting their copies elsewhere.
 */
export function identifyingValues(dataSet: DataSet): IdentifyingValues {
  const values = new IdentifyingValues();
  let seen = 0;
  const walk = (set: DataSet, depth: number): void => {
    for (const [tag, element] of Object.entries(set.elements)) {
      if (seen >= MAX_COMPARED) return;
      if (element.items) {
        if (depth < MAX_DEPTH) for (const item of element.items) if (item.dataSet) walk(item.dataSet, depth + 1);
        continue;
      }
      if (!isComparedTag(tag) || element.length === 0 || element.length > 1024) continue;
      const text = set.string(tag);
      // Printable text only: a binary value is no name.
      if (text && !looksBinary(text)) {
        values.add(text);
        seen++;
      }
    }
  };
  walk(dataSet, 0);
  return values;
}

/** A kept tag's text for output: REDACTED when it repeats an identifying value of the file. */
export function keptText(value: string, identifying: IdentifyingValues | undefined): string {
  return identifying?.repeatedIn(value) ? REDACTED : value;
}

/**
 * Tags for metadata and reports, keyed by DICOM keyword. Identifying ones
 * (basic de-identification profile) read "[redacted]" unless revealing was
 * asked for, and so do descriptive ones that repeat an identifying value
 * (a patient's name stored in Manufacturer); sequences and long values are
 * left out. `identifying`: the file's identifying values, when the caller
 * has them already.
 */
export function describeTags(dataSet: DataSet, privacy: PrivacyOptions = {}, identifying?: IdentifyingValues): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const compared = privacy.revealIdentifying ? undefined : (identifying ?? identifyingValues(dataSet));
  for (const [tag, keyword] of Object.entries(DESCRIPTIVE)) {
    const value = textOf(dataSet, tag);
    if (value !== undefined) out[keyword] = typeof value === 'string' ? keptText(value, compared) : value;
  }
  for (const [tag, keyword] of Object.entries(BASIC_PROFILE_TAGS)) {
    const element = dataSet.elements[tag];
    if (!element) continue;
    const value = textOf(dataSet, tag);
    out[keyword] = redactValue(tag, value ?? '', privacy);
  }
  return out;
}

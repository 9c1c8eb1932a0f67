import { BASIC_PROFILE_TAGS } from './basicProfile';

/**
 * Identifying values repeated in tags the basic profile keeps. A file can
 * carry the patient's name in Manufacturer, ManufacturerModelName,
 * BodyPartExamined or a window's explanation as well as in PatientName: the
 * copy is as identifying as the original. So the values of a file's
 * identifying tags are collected, and any value shown that repeats one —
 * equal to it, or holding it (or one component of a name, ID list or
 * address: the parts between `^`, `=` and `\`) as whole words, case and
 * punctuation ignored — is redacted too. Parts shorter than 3 letters or
 * digits are not compared (a sex code, an initial).
 *
 * Free-text descriptions and comments, and the patient's age, sex, size and
 * weight, are hidden themselves but not compared: they routinely equal
 * harmless values (a study described as "BRAIN" examines BodyPartExamined
 * "BRAIN"; a weight of 70.5 is an echo time of 70.5). Private tags are not
 * compared either: vendors fill them with their own names and binary blobs.
 */

/** Profile tags whose values are not compared (see above). */
const NOT_COMPARED = new Set([
  'x00081030', // StudyDescription
  'x0008103e', // SeriesDescription
  'x00081080', // AdmittingDiagnosesDescription
  'x00082111', // DerivationDescription
  'x00100040', // PatientSex
  'x00101010', // PatientAge
  'x00101020', // PatientSize
  'x00101030', // PatientWeight
  'x00102000', // MedicalAlerts
  'x00102110', // Allergies
  'x001021b0', // AdditionalPatientHistory
  'x00104000', // PatientComments
  'x00180010', // ContrastBolusAgent
  'x00181030', // ProtocolName
  'x00181400', // AcquisitionDeviceProcessingDescription
  'x00184000', // AcquisitionComments
  'x0018a003', // ContributionDescription
  'x00204000', // ImageComments
  'x00209158', // FrameComments
  'x00321060', // RequestedProcedureDescription
  'x00324000', // StudyComments
  'x00384000', // VisitComments
  'x00400007', // ScheduledProcedureStepDescription
  'x00400254', // PerformedProcedureStepDescription
  'x00401400', // RequestedProcedureComments
  'x00402400', // ImagingServiceRequestComments
]);

/** Whether a tag's value is collected for comparison: an identifying tag of the basic profile, not one of NOT_COMPARED. */
export function isComparedTag(tag: string): boolean {
  return tag in BASIC_PROFILE_TAGS && !NOT_COMPARED.has(tag);
}

const MIN_CHARACTERS = 3;

/** Upper case, every run of anything but letters and digits one space. */
export function normaliseForComparison(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export class IdentifyingValues {
  private readonly needles = new Set<string>();

  /** Adds one identifying tag's value, whole and by its parts. */
  add(value: string): void {
    for (const part of [value, ...value.split(/[\\^=]/)]) {
      const needle = normaliseForComparison(part);
      if (needle.replace(/ /g, '').length >= MIN_CHARACTERS) this.needles.add(needle);
    }
  }

  get size(): number {
    return this.needles.size;
  }

  /** Whether a value about to be shown repeats an identifying value. */
  repeatedIn(value: string): boolean {
    const shown = ` ${normaliseForComparison(value)} `;
    for (const needle of this.needles) if (shown.includes(` ${needle} `)) return true;
    return false;
  }
}

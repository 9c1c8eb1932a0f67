import type { ScanFormat } from './scan';

/** How many leading bytes `sniffFormat` needs. */
// NIfTI-1 keeps its magic at byte 344, DICOM Part 10 its "DICM" at 128.
export const SNIFF_BYTES = 352;

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

function ascii(head: Uint8Array, offset: number, text: string): boolean {
  return startsWith(
    head,
    [...text].map((c) => c.charCodeAt(0)),
    offset,
  );
}

function looksLikeNifti(head: Uint8Array): boolean {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 8) return false;
  const size = view.getInt32(0, true);
  const sizeBig = view.getInt32(0, false);
  if ((size === 540 || sizeBig === 540) && (ascii(head, 4, 'n+2\0') || ascii(head, 4, 'ni2\0'))) return true;
  return (size === 348 || sizeBig === 348) && (ascii(head, 344, 'n+1\0') || ascii(head, 344, 'ni1\0'));
}

const VR = /^(AE|AS|AT|CS|DA|DS|DT|FL|FD|IS|LO|LT|OB|OD|OF|OL|OW|PN|SH|SL|SQ|SS|ST|TM|UC|UI|UL|UN|UR|US|UT)$/;

/**
 * DICOM without the 128-byte preamble (old ACR-NEMA style exports): the file
 * opens straight on a group 0002 or 0008 element, explicit VR (either byte
 * order) or implicit VR little endian with a sane length.
 */
function looksLikeBareDicom(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const groupLE = head[0]! | (head[1]! << 8);
  const groupBE = (head[0]! << 8) | head[1]!;
  const vr = String.fromCharCode(head[4]!, head[5]!);
  if ((groupLE === 0x0002 || groupLE === 0x0008) && VR.test(vr)) return true;
  if ((groupBE === 0x0002 || groupBE === 0x0008) && VR.test(vr)) return true;
  if (groupLE === 0x0008 && head[3] === 0) {
    const length = head[4]! | (head[5]! << 8) | (head[6]! << 16) | (head[7]! << 24);
    return length >= 0 && length < 1024;
  }
  return false;
}

/**
 * Recognises a container by its magic bytes. File extensions are not trusted:
 * scans are routinely renamed, exported without extensions, or mislabelled.
 */
export function sniffFormat(head: Uint8Array): ScanFormat | undefined {
  // First: a DICOM preamble may itself hold a TIFF header (dual-format files).
  if (ascii(head, 128, 'DICM')) return 'dicom';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'gif';
  if (ascii(head, 4, 'ftypavif') || ascii(head, 4, 'ftypavis')) return 'avif';
  if (ascii(head, 4, 'ftypheic') || ascii(head, 4, 'ftypheix') || ascii(head, 4, 'ftypmif1')) return 'heif';
  if (looksLikeNifti(head)) return 'nifti';
  if (looksLikeBareDicom(head)) return 'dicom';
  return undefined;
}

/** Extensions that mark a file in a folder as meant to be a scan, even if it fails to sniff. */
export const SCAN_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.gif', '.avif', '.heic', '.heif', '.dcm', '.dicom', '.ima', '.nii', '.nii.gz'];

/** Whether a file name ends in one of SCAN_EXTENSIONS (two-part ones like .nii.gz included). */
export function hasScanExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return SCAN_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

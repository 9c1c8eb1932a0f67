import type { ScanFormat } from './scan';

/** How many leading bytes `sniffFormat` needs. */
export const SNIFF_BYTES = 16;

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

function ascii(head: Uint8Array, offset: number, text: string): boolean {
  return startsWith(head, [...text].map((c) => c.charCodeAt(0)), offset);
}

/**
 * Recognises a container by its magic bytes. File extensions are not trusted:
 * scans are routinely renamed, exported without extensions, or mislabelled.
 */
export function sniffFormat(head: Uint8Array): ScanFormat | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'gif';
  if (ascii(head, 4, 'ftypavif') || ascii(head, 4, 'ftypavis')) return 'avif';
  if (ascii(head, 4, 'ftypheic') || ascii(head, 4, 'ftypheix') || ascii(head, 4, 'ftypmif1')) return 'heif';
  return undefined;
}

/** Extensions that mark a file in a folder as meant to be a scan, even if it fails to sniff. */
export const SCAN_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.gif', '.avif', '.heic', '.heif'];

/**
 * One explicit VR little endian DICOM element, its value padded to even
 * length (NUL for UI, space otherwise), for tests that write small DICOM files.
 */
export function dicomElement(group: number, tag: number, vr: string, value: Buffer): Buffer {
  const padded = value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
  const long = ['OB', 'OW', 'UN', 'SQ', 'UT'].includes(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(tag, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(padded.length, 8);
  else head.writeUInt16LE(padded.length, 6);
  return Buffer.concat([head, padded]);
}

/** A US value. */
export const us = (n: number): Buffer => Buffer.from(Uint16Array.of(n).buffer);

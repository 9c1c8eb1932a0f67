import { deflateRawSync } from 'node:zlib';
import { dicomElement, us } from './dicomElement';

/** One element for tinyDicom: text values are latin1, buffers go in as they are. */
export interface TinyTag {
  readonly group: number;
  readonly element: number;
  readonly vr: string;
  readonly value: string | Buffer;
}

export const tag = (group: number, element: number, vr: string, value: string | Buffer): TinyTag => ({ group, element, vr, value });

/**
 * A small explicit VR little endian MR DICOM file: `size`² 16-bit
 * MONOCHROME2 pixels (a ramp), with `tags` added or replacing the defaults
 * (same group and element). Elements are written in tag order, deflated
 * when the transfer syntax is DEFLATED.
 */
export function tinyDicom(tags: readonly TinyTag[], size = 4, transferSyntax = EXPLICIT_LITTLE): Buffer {
  const sopClass = '1.2.840.10008.5.1.4.1.1.4';
  const pixels = Buffer.alloc(size * size * 2);
  for (let i = 0; i < size * size; i++) pixels.writeUInt16LE(i * 10, i * 2);
  const defaults: TinyTag[] = [
    tag(0x0008, 0x0016, 'UI', sopClass),
    tag(0x0008, 0x0060, 'CS', 'MR'),
    tag(0x0028, 0x0002, 'US', us(1)),
    tag(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    tag(0x0028, 0x0010, 'US', us(size)),
    tag(0x0028, 0x0011, 'US', us(size)),
    tag(0x0028, 0x0030, 'DS', '1\\1'),
    tag(0x0028, 0x0100, 'US', us(16)),
    tag(0x0028, 0x0101, 'US', us(16)),
    tag(0x0028, 0x0102, 'US', us(15)),
    tag(0x0028, 0x0103, 'US', us(0)),
    tag(0x7fe0, 0x0010, 'OW', pixels),
  ];
  const key = (t: TinyTag): number => t.group * 0x10000 + t.element;
  const all = new Map<number, TinyTag>();
  for (const t of [...defaults, ...tags]) all.set(key(t), t);
  const body = (t: TinyTag): Buffer => (typeof t.value === 'string' ? Buffer.from(t.value, 'latin1') : t.value);
  const dataset = Buffer.concat([...all.values()].sort((a, b) => key(a) - key(b)).map((t) => dicomElement(t.group, t.element, t.vr, body(t))));
  return part10(dataset, transferSyntax, sopClass);
}

export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
export const DEFLATED = '1.2.840.10008.1.2.1.99';

/** The preamble, DICM and file meta group of a Part 10 file. */
export function fileMeta(transferSyntax = EXPLICIT_LITTLE, sopClass = '1.2.840.10008.5.1.4.1.1.4'): Buffer {
  const meta = Buffer.concat([
    dicomElement(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    dicomElement(0x0002, 0x0002, 'UI', Buffer.from(sopClass, 'latin1')),
    dicomElement(0x0002, 0x0003, 'UI', Buffer.from('1.2.826.0.1.3680043.8.498.7', 'latin1')),
    dicomElement(0x0002, 0x0010, 'UI', Buffer.from(transferSyntax, 'latin1')),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(meta.length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), dicomElement(0x0002, 0x0000, 'UL', length), meta]);
}

/** A Part 10 file around a data set written in explicit VR little endian: the data set is raw-deflated when the transfer syntax says so. */
export function part10(dataset: Buffer, transferSyntax = EXPLICIT_LITTLE, sopClass?: string): Buffer {
  return Buffer.concat([fileMeta(transferSyntax, sopClass), transferSyntax === DEFLATED ? deflateRawSync(dataset, { level: 9 }) : dataset]);
}

/** Orientation (ImageOrientationPatient) of the three planes, as DICOM writes them. */
export const PLANES = { axial: '1\\0\\0\\0\\1\\0', coronal: '1\\0\\0\\0\\0\\-1', sagittal: '0\\1\\0\\0\\0\\-1' } as const;

/** A slice of a series: its SeriesInstanceUID, orientation, position and instance number. */
export function seriesSlice(uid: string, orientation: string, position: readonly number[], instance: number, extra: readonly TinyTag[] = []): Buffer {
  return tinyDicom([
    tag(0x0020, 0x000e, 'UI', uid),
    tag(0x0020, 0x0011, 'IS', '7'),
    tag(0x0020, 0x0013, 'IS', String(instance)),
    tag(0x0020, 0x0032, 'DS', position.join('\\')),
    tag(0x0020, 0x0037, 'DS', orientation),
    ...extra,
  ]);
}

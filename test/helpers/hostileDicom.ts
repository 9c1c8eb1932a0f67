import { constants, deflateRawSync } from 'node:zlib';
import { dicomElement, us } from './dicomElement';
import { DEFLATED, fileMeta, part10, tag, tinyDicom, type TinyTag } from './tinyDicom';

/** An item tag (FFFE,E000) of the given length. */
function item(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(0xe000, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

const SEQUENCE_DELIMITER = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);

/** An undefined-length SQ element header (explicit VR). */
function openSequence(group: number, element: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  b.write('SQ', 4, 'latin1');
  b.writeUInt32LE(0xffffffff, 8);
  return b;
}

/**
 * A deflated DICOM whose one sequence holds `items` empty items: a few hundred
 * KB on disk, hundreds of MB inflated, and one parsed object per item.
 */
export function itemFlood(items: number): Buffer {
  const head = Buffer.concat([dicomElement(0x0008, 0x0016, 'UI', Buffer.from('1.2.840.10008.5.1.4.1.1.4', 'latin1')), openSequence(0x0008, 0x1115)]);
  const body = Buffer.alloc(items * 8);
  const one = item(0);
  for (let i = 0; i < items; i++) one.copy(body, i * 8);
  const dataset = Buffer.concat([head, body, SEQUENCE_DELIMITER, dicomElement(0x7fe0, 0x0010, 'OW', Buffer.alloc(32))]);
  return part10(dataset, DEFLATED);
}

/** A DICOM with `count` distinct empty private elements (LO, length 0) before a tiny image: 8 bytes each. */
export function privateTagFlood(count: number): Buffer {
  const flood = Buffer.alloc(count * 8);
  for (let i = 0; i < count; i++) {
    const at = i * 8;
    // Odd groups from 0x0009 up, 65536 elements each: every tag distinct.
    flood.writeUInt16LE(0x0009 + 2 * Math.floor(i / 0x10000), at);
    flood.writeUInt16LE(i & 0xffff, at + 2);
    flood.write('LO', at + 4, 'latin1');
  }
  const image = tinyDicom([]);
  // The flood goes between the file meta group and the image's data set, whose first element is (0008,0016).
  const split = image.indexOf(Buffer.from([0x08, 0x00, 0x16, 0x00]), 132);
  return Buffer.concat([image.subarray(0, split), flood, image.subarray(split)]);
}

/** `depth` sequences nested one in the other, each in an undefined-length item. */
export function deepNesting(depth: number): Buffer {
  const open = Buffer.concat([openSequence(0x0008, 0x1115), item(0xffffffff)]);
  const close = Buffer.concat([Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]), SEQUENCE_DELIMITER]);
  const dataset = Buffer.concat([...Array<Buffer>(depth).fill(open), ...Array<Buffer>(depth).fill(close), dicomElement(0x7fe0, 0x0010, 'OW', Buffer.alloc(32))]);
  return part10(dataset);
}

/** tinyDicom's file with its own pixel element (the last one) replaced by `pixelElement`, whole. */
function withPixelElement(file: Buffer, pixelElement: Buffer): Buffer {
  return Buffer.concat([file.subarray(0, file.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]))), pixelElement]);
}

/**
 * A JPEG-LS DICOM of `frames` 1×1 frames whose basic offset table gives each
 * frame two empty fragments: small on disk, but matching fragments to frames
 * one frame at a time is frames × fragments work.
 */
export function manyFrameFragments(frames: number): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x7fe0, 0);
  head.writeUInt16LE(0x0010, 2);
  head.write('OB', 4, 'latin1');
  head.writeUInt32LE(0xffffffff, 8);
  const table = Buffer.alloc(frames * 4);
  for (let f = 0; f < frames; f++) table.writeUInt32LE(f * 16, f * 4);
  const fragments = Buffer.concat(Array.from({ length: frames * 2 }, () => item(0)));
  const file = tinyDicom([tag(0x0028, 0x0008, 'IS', String(frames)), tag(0x0028, 0x0010, 'US', us(1)), tag(0x0028, 0x0011, 'US', us(1))], 1, '1.2.840.10008.1.2.4.80');
  return withPixelElement(file, Buffer.concat([head, item(table.length), table, fragments, SEQUENCE_DELIMITER]));
}

const deflatedFrame = new Map<string, Buffer>();

/** `bytes` zeros raw-deflated once per size and ending, so that another stream may follow (sync flush) or not (the last). */
function zeros(bytes: number, last: boolean): Buffer {
  const key = `${bytes} ${last}`;
  const deflated = deflatedFrame.get(key) ?? deflateRawSync(Buffer.alloc(bytes), { level: 9, ...(last ? {} : { finishFlush: constants.Z_SYNC_FLUSH }) });
  deflatedFrame.set(key, deflated);
  return deflated;
}

/**
 * A deflated DICOM of `frames` frames of `size`² 16-bit zeros, with `tags`:
 * tiny on disk, frames × size² × 2 bytes inflated. A frame of zeros is
 * deflated once per size and repeated (a sync-flushed deflate stream may be
 * continued by another), so forty 8192² slices take no longer to write than one.
 */
export function deflatedFrames(frames: number, size: number, tags: readonly TinyTag[] = []): Buffer {
  const header = tinyDicom([...tags, tag(0x0028, 0x0008, 'IS', String(frames)), tag(0x0028, 0x0010, 'US', us(size)), tag(0x0028, 0x0011, 'US', us(size))]);
  // tinyDicom's own 4×4 pixel element closes the file: cut it off, and the meta group, to deflate the data set between.
  const metaEnd = 144 + header.readUInt32LE(140);
  const pixelsAt = header.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const pixelHead = Buffer.alloc(12);
  pixelHead.writeUInt16LE(0x7fe0, 0);
  pixelHead.writeUInt16LE(0x0010, 2);
  pixelHead.write('OW', 4, 'latin1');
  pixelHead.writeUInt32LE(frames * size * size * 2, 8);
  const start = deflateRawSync(Buffer.concat([header.subarray(metaEnd, pixelsAt), pixelHead]), { finishFlush: constants.Z_SYNC_FLUSH });
  return Buffer.concat([fileMeta(DEFLATED), start, ...Array<Buffer>(frames - 1).fill(zeros(size * size * 2, false)), zeros(size * size * 2, true)]);
}

/** One deflated slice of an axial series, `size`² 16-bit zeros, at `position` mm along the normal. */
export function deflatedSlice(uid: string, position: number, size: number): Buffer {
  return deflatedFrames(1, size, [
    tag(0x0020, 0x000e, 'UI', uid),
    tag(0x0020, 0x0013, 'IS', String(position + 1)),
    tag(0x0020, 0x0032, 'DS', `0\\0\\${position}`),
    tag(0x0020, 0x0037, 'DS', '1\\0\\0\\0\\1\\0'),
  ]);
}

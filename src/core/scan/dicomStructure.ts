import { ScanLensError } from '../errors';

/**
 * How much structure a DICOM data set may have before dicom-parser is let at
 * it. dicom-parser makes one object per element, item and fragment and
 * recurses per nesting level, so a small file of 8-byte elements or empty
 * items (millions of them, or hundreds of megabytes once inflated) grows to
 * gigabytes and kills the process. The walk below counts what dicom-parser
 * would make, following its own rules, in time linear in the bytes and
 * without allocating, and stops at the first limit.
 */
export interface StructureLimits {
  /** Most elements, items, fragments and offset-table entries one file may hold. */
  readonly maxDicomElements: number;
  /** Deepest nesting of sequences. */
  readonly maxDicomNesting: number;
}

const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;
const UNDEFINED = 0xffffffff;
/** The VRs dicom-parser reads with a 4-byte length (its getDataLengthSizeInBytesForVR). */
const LONG_VRS = new Set(['OB', 'OD', 'OL', 'OW', 'SQ', 'OF', 'UC', 'UR', 'UT', 'UN']);

/** A data set refused for its structure: final, since more of the file can only add to it. */
export class DicomStructureError extends ScanLensError {}

/** The walk ran off the end of the bytes: dicom-parser stops (or fails) there too, having made no more than counted. */
class End {}

export interface DicomLayout {
  /** Where the data set after the file meta group starts, and its transfer syntax UID as dicom-parser reads it. */
  readonly bodyStart: number;
  readonly transferSyntax: string | undefined;
  /** What the meta group made: its elements join the data set's, and count against the same limit. */
  readonly made: number;
}

class Walk {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
    private readonly limits: StructureLimits,
    private readonly path: string,
    private count = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(at: number, size: number): void {
    if (at < 0 || at + size > this.bytes.length) throw new End();
  }

  private u16(at: number, little = this.little): number {
    this.need(at, 2);
    return this.view.getUint16(at, little);
  }

  private u32(at: number, little = this.little): number {
    this.need(at, 4);
    return this.view.getUint32(at, little);
  }

  private tag(at: number, little = this.little): number {
    return this.u16(at, little) * 0x10000 + this.u16(at + 2, little);
  }

  private made(depth: number, objects = 1): void {
    this.count += objects;
    if (this.count > this.limits.maxDicomElements) {
      throw new DicomStructureError(`DICOM data set holds more than ${this.limits.maxDicomElements} elements, items and fragments; refused before parsing`, this.path);
    }
    if (depth > this.limits.maxDicomNesting) throw new DicomStructureError(`DICOM sequences are nested more than ${this.limits.maxDicomNesting} deep; refused before parsing`, this.path);
  }

  /** Elements from `at` up to `end`; with `until`, stops after reading that element's header (dicom-parser's untilTag, top level only). */
  dataSet(at: number, end: number, explicit: boolean, little: boolean, depth: number, until?: number): number {
    let position = at;
    while (position < end) {
      const { next, tag } = this.element(position, explicit, little, depth, until);
      position = next;
      if (tag === until) break;
    }
    return position;
  }

  /** The file meta group: explicit VR little endian elements while their group is 0002. */
  meta(at: number): DicomLayout {
    let position = at;
    let transferSyntax: string | undefined;
    while (position < this.bytes.length && this.tag(position, true) <= 0x0002ffff) {
      const { next, tag, data, length } = this.element(position, true, true, 0);
      if (tag === 0x00020010) transferSyntax = this.text(data, length);
      position = next;
    }
    return { bodyStart: position, transferSyntax, made: this.count };
  }

  /** A value as dicom-parser's readFixedString reads it: latin1, up to the first NUL. */
  private text(at: number, length: number): string {
    const raw = this.bytes.subarray(at, Math.min(at + length, this.bytes.length));
    const nul = raw.indexOf(0);
    return Buffer.from(nul >= 0 ? raw.subarray(0, nul) : raw).toString('latin1');
  }

  element(at: number, explicit: boolean, little: boolean, depth: number, until?: number): { next: number; tag: number; data: number; length: number } {
    const tag = this.tag(at, little);
    let length: number;
    let data: number;
    let vr: string | undefined;
    if (explicit) {
      this.need(at + 4, 2);
      vr = String.fromCharCode(this.bytes[at + 4]!, this.bytes[at + 5]!);
      if (LONG_VRS.has(vr)) {
        length = this.u32(at + 8, little);
        data = at + 12;
      } else {
        length = this.u16(at + 6, little);
        data = at + 8;
      }
    } else {
      length = this.u32(at + 4, little);
      data = at + 8;
    }
    this.made(depth);
    return { next: this.value(tag, vr, data, length, explicit, little, depth, until), tag, data, length };
  }

  /** Where an element's value ends, walking into it where dicom-parser parses it (sequences, encapsulated pixel data). */
  private value(tag: number, vr: string | undefined, data: number, length: number, explicit: boolean, little: boolean, depth: number, until?: number): number {
    if (tag === until) return data;
    if (explicit) {
      if (vr === 'SQ') return this.items(data, length, true, little, depth + 1);
      if (length === UNDEFINED) {
        if (tag === PIXEL_DATA) return this.fragments(data, little, depth);
        if (vr === 'UN') return this.items(data, length, false, true, depth + 1);
        return this.itemEnd(data, little);
      }
      return data + length;
    }
    const next = data + 4 <= this.bytes.length ? this.tag(data, little) : undefined;
    const looksLikeItems = next === ITEM || next === SEQUENCE_END;
    const privateTag = (tag >>> 16) % 2 === 1;
    if (looksLikeItems && (!privateTag || length === UNDEFINED)) return this.items(data, length, false, little, depth + 1);
    if (length === UNDEFINED) return this.itemEnd(data, little);
    return data + length;
  }

  /** A sequence's items, up to its delimiter (undefined length) or its length. */
  private items(at: number, length: number, explicit: boolean, little: boolean, depth: number): number {
    let position = at;
    if (length === UNDEFINED) {
      while (position + 4 <= this.bytes.length) {
        if (this.tag(position, little) === SEQUENCE_END) return position + 8;
        position = this.item(position, explicit, little, depth);
      }
      return position;
    }
    const end = at + length;
    while (position < end) position = this.item(position, explicit, little, depth);
    return position;
  }

  private item(at: number, explicit: boolean, little: boolean, depth: number): number {
    const length = this.u32(at + 4, little);
    // An item is an object with a data set and its own elements.
    this.made(depth, 2);
    const data = at + 8;
    if (length !== UNDEFINED) {
      if (data + length > this.bytes.length) throw new End();
      return this.dataSet(data, data + length, explicit, little, depth);
    }
    let position = data;
    while (position < this.bytes.length) {
      const { next, tag } = this.element(position, explicit, little, depth);
      position = next;
      if (tag === ITEM_END) return position;
    }
    return position;
  }

  /** Encapsulated pixel data: the offset table's entries and each fragment, up to the sequence delimiter. */
  private fragments(at: number, little: boolean, depth: number): number {
    const tableLength = this.u32(at + 4, little);
    this.made(depth, Math.floor(Math.min(tableLength, this.bytes.length) / 4));
    let position = at + 8 + tableLength;
    while (position < this.bytes.length) {
      const tag = this.tag(position, little);
      const length = this.u32(position + 4, little);
      position += 8 + length;
      if (tag === SEQUENCE_END) return position;
      // An unexpected tag is kept as a last fragment, and ends the element.
      this.made(depth);
      if (tag !== ITEM) return position;
    }
    return position;
  }

  /** Skips to just after an item delimiter, scanning as dicom-parser does (2 bytes at a time). */
  private itemEnd(at: number, little: boolean): number {
    let position = at;
    while (position <= this.bytes.length - 8) {
      const group = this.u16(position, little);
      position += 2;
      if (group !== 0xfffe) continue;
      const element = this.u16(position, little);
      position += 2;
      if (element === 0xe00d) return position + 4;
    }
    return this.bytes.length;
  }
}

/**
 * Walks a DICOM file's file meta group (when `part10`) and returns where its
 * data set starts and the transfer syntax it names, refusing by name a meta
 * group with more structure than the limits allow.
 */
export function walkMeta(bytes: Uint8Array, part10: boolean, limits: StructureLimits, path: string): DicomLayout {
  // Without a meta group dicom-parser makes one element of its own: the transfer syntax it was told.
  if (!part10) return { bodyStart: 0, transferSyntax: undefined, made: 1 };
  try {
    return new Walk(bytes, true, limits, path).meta(132);
  } catch (error) {
    if (error instanceof End) return { bodyStart: bytes.length, transferSyntax: undefined, made: 0 };
    throw error;
  }
}

/**
 * Walks the data set from the layout's `bodyStart` as dicom-parser would parse it with the
 * given transfer syntax (deflated data sets already inflated: explicit VR
 * little endian), up to `untilTag` at the top level when given, and refuses by
 * name one that holds more elements or deeper nesting than the limits allow.
 * Returns the position the walk reached (after `untilTag`'s header when found).
 */
export function walkDataSet(bytes: Uint8Array, layout: DicomLayout, transferSyntax: string, limits: StructureLimits, path: string, untilTag?: number): number {
  const explicit = transferSyntax !== '1.2.840.10008.1.2';
  const little = transferSyntax !== '1.2.840.10008.1.2.2';
  const walk = new Walk(bytes, little, limits, path, layout.made);
  try {
    return walk.dataSet(layout.bodyStart, bytes.length, explicit, little, 0, untilTag);
  } catch (error) {
    if (error instanceof End) return bytes.length;
    throw error;
  }
}

import type { DataSet } from 'dicom-parser';
import { ScanLensError } from '../errors';
import { transferSyntax } from './dicomTransferSyntax';
import { inflateDataSet } from './dicomInflate';
import { pixelModule } from './dicomPixelModule';
import { walkDataSet, walkMeta, type StructureLimits } from './dicomStructure';
import { DEFAULT_DICOM_STRUCTURE, type DecodeLimits } from './limits';

type DicomParserModule = typeof import('dicom-parser');

const parserModule: Promise<DicomParserModule> = import('dicom-parser').then((m) => (m as unknown as { default?: DicomParserModule }).default ?? m);

/** dicom-parser throws strings, Errors or `{ exception, dataSet }`; make one line of any of them. */
function parserMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'exception' in error) return String((error as { exception: unknown }).exception);
  return String(error);
}

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** The transfer syntax of a file with no file meta group, read from how its first element is written. */
function guessTransferSyntax(bytes: Uint8Array): string {
  const vr = String.fromCharCode(bytes[4] ?? 0, bytes[5] ?? 0);
  const explicit = /^[A-Z]{2}$/.test(vr);
  if (explicit && bytes[0] === 0x00 && bytes[1] !== 0x00) return '1.2.840.10008.1.2.2';
  return explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
}

/** The file meta group's TransferSyntaxUID (always explicit VR little endian), found without parsing the rest. */
function metaTransferSyntax(bytes: Uint8Array): string | undefined {
  for (let i = 132; i + 8 < Math.min(bytes.length, 4096); i += 2) {
    if (bytes[i] === 0x02 && bytes[i + 1] === 0x00 && bytes[i + 2] === 0x10 && bytes[i + 3] === 0x00 && bytes[i + 4] === 0x55 && bytes[i + 5] === 0x49) {
      const length = bytes[i + 6]! | (bytes[i + 7]! << 8);
      return Buffer.from(bytes.subarray(i + 8, i + 8 + length)).toString('latin1');
    }
  }
  return undefined;
}

/** Whether the data set after a Part 10 file meta group is written with implicit VR (its first element has no VR letters). */
function bodyLooksImplicit(bytes: Uint8Array): boolean {
  if (bytes.length < 144 || bytes[132] !== 0x02 || bytes[133] !== 0x00 || bytes[134] !== 0x00 || bytes[135] !== 0x00) return false;
  const groupLength = new DataView(bytes.buffer, bytes.byteOffset + 140, 4).getUint32(0, true);
  const body = 144 + groupLength;
  return body + 6 <= bytes.length && !/^[A-Z]{2}$/.test(String.fromCharCode(bytes[body + 4]!, bytes[body + 5]!));
}

/** Names the cause when the parse failed because of it: pixel data cut short, a transfer syntax ScanLens cannot decode, or one the data set is not written in. */
function explainParseFailure(error: unknown, path: string, bytes: Uint8Array): void {
  const partial = error && typeof error === 'object' && 'dataSet' in error ? (error as { dataSet?: DataSet }).dataSet : undefined;
  const pixels = partial?.elements.x7fe00010;
  if (pixels && !pixels.hadUndefinedLength && pixels.dataOffset + pixels.length > partial!.byteArray.length) {
    throw new ScanLensError(`pixel data is truncated: ${Math.max(0, partial!.byteArray.length - pixels.dataOffset)} of ${pixels.length} bytes`, path);
  }
  // dicom-parser keeps a fragment's declared length and seeks past the end of the file.
  const cut = pixels?.fragments?.findIndex((f) => f.position + f.length > partial!.byteArray.length) ?? -1;
  if (cut >= 0) {
    const fragment = pixels!.fragments![cut]!;
    throw new ScanLensError(`pixel data is truncated: fragment ${cut + 1} declares ${fragment.length} bytes and the file holds ${Math.max(0, partial!.byteArray.length - fragment.position)}`, path);
  }
  const uid = partial?.string('x00020010') ?? metaTransferSyntax(bytes);
  if (!uid) return;
  const syntax = transferSyntax(uid);
  if (syntax.encoding === 'unsupported') {
    throw new ScanLensError(`transfer syntax ${syntax.name} (${syntax.uid}) cannot be decoded exactly by ScanLens yet`, path);
  }
  if (syntax.uid !== '1.2.840.10008.1.2' && bodyLooksImplicit(bytes)) {
    throw new ScanLensError(`data set is written with implicit VR, but its transfer syntax ${syntax.name} (${syntax.uid}) says explicit VR`, path);
  }
}

const DEFLATED = '1.2.840.10008.1.2.1.99';

/** The structure limits in force: the caller's, else the defaults. */
function structureLimits(limits: DecodeLimits): StructureLimits {
  return {
    maxDicomElements: limits.maxDicomElements ?? DEFAULT_DICOM_STRUCTURE.maxDicomElements,
    maxDicomNesting: limits.maxDicomNesting ?? DEFAULT_DICOM_STRUCTURE.maxDicomNesting,
  };
}

/**
 * Parses a DICOM file into a data set: Part 10 with or without the preamble,
 * or a bare data set with no file meta group. Its structure is walked first
 * (dicomStructure.ts), so a file holding more elements or deeper nesting than
 * the limits allow is refused before dicom-parser makes an object of any;
 * a deflated data set is inflated only as far as needed (dicomInflate.ts).
 * With `untilTag`, parsing stops at that element's header (its value is
 * neither read nor needed).
 */
export async function parseDicomBytes(bytes: Uint8Array, path: string, limits: DecodeLimits, untilTag?: string): Promise<DataSet> {
  const parser = await parserModule;
  let input = bytes;
  let options: Parameters<DicomParserModule['parseDicom']>[1] = untilTag ? { untilTag } : {};
  if (!hasPreamble(bytes)) {
    const metaFirst = bytes[0] === 0x02 && bytes[1] === 0x00;
    if (metaFirst) {
      // File meta group without the preamble: give dicom-parser the preamble it expects.
      input = new Uint8Array(132 + bytes.length);
      input.set([0x44, 0x49, 0x43, 0x4d], 128);
      input.set(bytes, 132);
    } else {
      options = { ...options, TransferSyntaxUID: guessTransferSyntax(bytes) };
    }
  }
  const structure = structureLimits(limits);
  const part10 = hasPreamble(input);
  const layout = walkMeta(input, part10, structure, path);
  const syntax = part10 ? layout.transferSyntax : options.TransferSyntaxUID;
  const until = untilTag ? Number.parseInt(untilTag.slice(1), 16) : undefined;
  if (syntax === DEFLATED) {
    const headerOf = (header: Uint8Array): DataSet => parser.parseDicom(header, { ...options, untilTag: 'x7fe00010', inflater: ((array: Uint8Array) => array) as never });
    const inflated = await inflateDataSet(input, layout, path, limits, structure, untilTag !== undefined, async (header) => {
      pixelModule(headerOf(header), path, limits);
    });
    options = { ...options, inflater: (() => inflated) as never };
  } else walkDataSet(input, layout, syntax ?? '', structure, path, until);
  try {
    return parser.parseDicom(input, options);
  } catch (error) {
    if (error instanceof ScanLensError) throw error;
    explainParseFailure(error, path, input);
    throw new ScanLensError(`cannot parse DICOM (${parserMessage(error).replace(/^dicomParser\.\w+: /, '')})`, path);
  }
}

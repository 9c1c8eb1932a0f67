import { writeFileSync } from 'node:fs';
import { dicomElement as element, us } from '../helpers/dicomElement';
import { niftiInt16Header } from '../helpers/niftiHeader';

/**
 * Writes the viewer's larger test scans from a sample slice: a 512² 12-bit MR
 * DICOM (for first paint) and a 256³ int16 NIfTI (for slice changes). Real
 * files, read by the real decoders; the fixtures in test/fixtures are a few
 * voxels each.
 */

async function greyPixels(png: string, size: number): Promise<Uint8Array> {
  // Required here, not at the top: suites load before activation.suite checks that no native module is loaded yet.
  const { default: sharp } = await import('sharp');
  return new Uint8Array(await sharp(png).greyscale().resize(size, size, { kernel: 'lanczos3' }).raw().toBuffer());
}

const text = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Explicit VR little endian MR image with two VOI windows and identifying tags (which the viewer must redact). */
export async function writeDicom512(png: string, out: string): Promise<void> {
  const size = 512;
  const grey = await greyPixels(png, size);
  const pixels = Buffer.alloc(size * size * 2);
  for (let i = 0; i < grey.length; i++) pixels.writeUInt16LE(grey[i]! * 16, i * 2);
  const sopClass = '1.2.840.10008.5.1.4.1.1.4';
  const instance = '1.2.826.0.1.3680043.8.498.1';
  const metaBody = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', text(sopClass)),
    element(0x0002, 0x0003, 'UI', text(instance)),
    element(0x0002, 0x0010, 'UI', text('1.2.840.10008.1.2.1')),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(metaBody.length);
  const dataset = Buffer.concat([
    element(0x0008, 0x0016, 'UI', text(sopClass)),
    element(0x0008, 0x0018, 'UI', text(instance)),
    element(0x0008, 0x0060, 'CS', text('MR')),
    element(0x0010, 0x0010, 'PN', text('Doe^Jane')),
    element(0x0010, 0x0020, 'LO', text('PAT-0042')),
    element(0x0020, 0x0032, 'DS', text('-128\\-128\\0')),
    element(0x0020, 0x0037, 'DS', text('1\\0\\0\\0\\1\\0')),
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', text('MONOCHROME2')),
    element(0x0028, 0x0010, 'US', us(size)),
    element(0x0028, 0x0011, 'US', us(size)),
    element(0x0028, 0x0030, 'DS', text('0.5\\0.5')),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(12)),
    element(0x0028, 0x0102, 'US', us(11)),
    element(0x0028, 0x0103, 'US', us(0)),
    element(0x0028, 0x1050, 'DS', text('1600\\2048')),
    element(0x0028, 0x1051, 'DS', text('2400\\4096')),
    element(0x0028, 0x1055, 'LO', text('BRAIN\\FULL')),
    element(0x7fe0, 0x0010, 'OW', pixels),
  ]);
  writeFileSync(out, Buffer.concat([Buffer.alloc(128), text('DICM'), element(0x0002, 0x0000, 'UL', groupLength), metaBody, dataset]));
}

/**
 * NIfTI-1 int16 volume, 1 mm RAS grid: each axial slice is the sample
 * (patient right on the image's left, anterior at the top), fading out
 * towards the top and bottom of the head.
 */
export async function writeNifti256(png: string, out: string): Promise<void> {
  const n = 256;
  const grey = await greyPixels(png, n);
  const header = niftiInt16Header(n, n, n);
  header.writeFloatLE(1, 112);
  header.writeUInt8(2, 123);
  header.writeInt16LE(0, 252);
  header.writeInt16LE(1, 254);
  [
    [1, 0, 0, -128],
    [0, 1, 0, -128],
    [0, 0, 1, -128],
  ].forEach((row, r) => row.forEach((v, c) => header.writeFloatLE(v, 280 + r * 16 + c * 4)));
  const voxels = new Int16Array(n * n * n);
  for (let z = 0; z < n; z++) {
    const fade = Math.sqrt(Math.max(0, 1 - ((z - n / 2) / (n * 0.45)) ** 2));
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) voxels[(z * n + (n - 1 - y)) * n + (n - 1 - x)] = Math.round(grey[y * n + x]! * 4 * fade);
    }
  }
  writeFileSync(out, Buffer.concat([header, Buffer.from(voxels.buffer)]));
}

/** A NIfTI-1 header (352 bytes, data at 352) for an int16 volume of nx×ny×nz 1 mm voxels, no orientation. */
export function niftiInt16Header(nx: number, ny: number, nz: number): Buffer {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((d, i) => header.writeInt16LE(d, 40 + i * 2));
  header.writeInt16LE(4, 70);
  header.writeInt16LE(16, 72);
  [1, 1, 1, 1, 0, 0, 0, 0].forEach((d, i) => header.writeFloatLE(d, 76 + i * 4));
  header.writeFloatLE(352, 108);
  header.write('n+1\0', 344, 'latin1');
  return header;
}

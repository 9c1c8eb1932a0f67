import { ScanLensError } from '../errors';

/**
 * NumPy's .npy format, version 1.0 (numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic "\x93NUMPY", version bytes, a little-endian uint16 header length and
 * a Python-literal dict padded with spaces to a 64-byte boundary, then the
 * C-order data. Only the dtypes detectors store are read or written: float32
 * and int32, and float64 for PaDiM's running statistics (which `anomaly add`
 * continues, so they keep full precision).
 */
export type NpyArray =
  | { readonly dtype: '<f4'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: '<i4'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: '<f8'; readonly shape: readonly number[]; readonly data: Float64Array };

const BYTES = { '<f4': 4, '<i4': 4, '<f8': 8 } as const;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const PREAMBLE = 10;

export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`npy: shape [${array.shape.join(', ')}] holds ${count} values, data has ${array.data.length}`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${array.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = Math.ceil((PREAMBLE + header.length + 1) / 64) * 64;
  header = header.padEnd(total - PREAMBLE - 1, ' ') + '\n';
  const out = new Uint8Array(total + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), PREAMBLE);
  // Every dtype is little-endian, as is every platform Node ships for.
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), total);
  return out;
}

export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < PREAMBLE || MAGIC.some((b, i) => bytes[i] !== b)) throw new ScanLensError('not a .npy file (bad magic)', file);
  if (bytes[6] !== 1) throw new ScanLensError(`.npy version ${bytes[6]}.${bytes[7]} is not supported (only 1.0)`, file);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const start = PREAMBLE + headerLength;
  if (start > bytes.length) throw new ScanLensError('.npy header runs past the end of the file', file);
  const header = new TextDecoder('latin1').decode(bytes.subarray(PREAMBLE, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr !== '<f4' && descr !== '<i4' && descr !== '<f8') throw new ScanLensError(`.npy dtype '${descr ?? '?'}' is not supported (float32, float64 or int32 only)`, file);
  if (fortran !== 'False') throw new ScanLensError('.npy arrays in Fortran order are not supported', file);
  if (shapeText === undefined) throw new ScanLensError('.npy header has no shape', file);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new ScanLensError(`.npy shape (${shapeText}) is not a list of sizes`, file);
  const count = shape.reduce((a, b) => a * b, 1);
  const size = BYTES[descr];
  if (bytes.length - start !== count * size) throw new ScanLensError(`.npy data is ${bytes.length - start} bytes; shape (${shapeText}) needs ${count * size}`, file);
  // Copy (a Buffer's slice is a view): the data may sit at an offset that is not a multiple of its element size.
  const raw = new Uint8Array(bytes.subarray(start)).buffer;
  if (descr === '<f8') return { dtype: descr, shape, data: new Float64Array(raw) };
  return descr === '<f4' ? { dtype: descr, shape, data: new Float32Array(raw) } : { dtype: descr, shape, data: new Int32Array(raw) };
}

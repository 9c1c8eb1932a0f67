import type { VoxelArray } from './scan';

export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

const CONSTRUCTORS: Record<SampleType, { new (buffer: ArrayBuffer): VoxelArray; BYTES_PER_ELEMENT: number }> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function bytesPerSample(type: SampleType): number {
  return CONSTRUCTORS[type].BYTES_PER_ELEMENT;
}

/**
 * Copies raw sample bytes into an aligned typed array in the machine's (little
 * endian) order, swapping bytes first when the file stores big endian.
 */
export function samplesFromBytes(bytes: Uint8Array, type: SampleType, littleEndian: boolean): VoxelArray {
  const size = CONSTRUCTORS[type].BYTES_PER_ELEMENT;
  const copy = new Uint8Array(bytes.length - (bytes.length % size));
  copy.set(bytes.subarray(0, copy.length));
  if (!littleEndian && size > 1) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return new CONSTRUCTORS[type](copy.buffer);
}

/** The range a sample type can hold, for "range" intensity scaling. */
export function typeRange(type: SampleType, voxels: VoxelArray): { min: number; max: number } {
  switch (type) {
    case 'uint8':
      return { min: 0, max: 255 };
    case 'int8':
      return { min: -128, max: 127 };
    case 'uint16':
      return { min: 0, max: 65535 };
    case 'int16':
      return { min: -32768, max: 32767 };
    default:
      // Wide types: the data's own range is the only meaningful one.
      return valuesRange(voxels);
  }
}

/** The smallest and largest stored value; [0,1] for an empty array. */
export function valuesRange(voxels: VoxelArray): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < voxels.length; i++) {
    const v = voxels[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 1 };
}

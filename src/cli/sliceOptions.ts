import { Option } from 'commander';
import { SLICE_AXES } from '../core/vocabulary/axes';

function parseSlice(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`slice must be a whole number from 0, got '${value}'`);
  return Number(value);
}

/** `--axis` and `--slice` of the verbs that look at one slice (explain, preprocess, anomaly score/eval): the slice classify's volume rows number. */
export const axisOption = new Option('--axis <plane>', 'for a volume (NIfTI, multi-frame DICOM): the plane to slice, in display orientation as classify cuts it (default: axial)').choices([
  ...SLICE_AXES,
]);
export const sliceOption = new Option('--slice <k>', 'for a volume: the slice along --axis, from 0, as classify numbers it (default: the middle slice)').argParser(parseSlice);

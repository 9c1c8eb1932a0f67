import { convPoolGrads } from './convPoolGrads';
import { elementwiseGrads } from './elementwiseGrads';
import type { GradRule } from './gradContext';
import { linearGrads } from './linearGrads';
import { normalizationGrads } from './normalizationGrads';
import { shapeGrads } from './shapeGrads';

/** Every op ScanLens can differentiate, by ONNX op type (default domain). */
export const GRAD_RULES: Readonly<Record<string, GradRule>> = {
  ...elementwiseGrads,
  ...shapeGrads,
  ...convPoolGrads,
  ...linearGrads,
  ...normalizationGrads,
};

/** Inputs that can carry a gradient; the rest are shapes, indices, axes or masks. */
const DIFF_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [0],
  Expand: [0],
  Squeeze: [0],
  Unsqueeze: [0],
  Slice: [0],
  Gather: [0],
  Pad: [0],
  Split: [0],
  Clip: [0],
  Tile: [0],
  ReduceMean: [0],
  ReduceSum: [0],
  Dropout: [0],
  Where: [1, 2],
  Resize: [0],
};

/** Ops whose outputs never carry a gradient (integers, booleans, shapes). */
const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'ArgMax',
  'ArgMin',
  'NonZero',
  'ConstantOfShape',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'IsNaN',
  'IsInf',
  'EyeLike',
  'Range',
  'TopK',
]);

export function carriesGradient(opType: string): boolean {
  return !NON_DIFFERENTIABLE.has(opType);
}

export function isDiffInput(opType: string, index: number): boolean {
  const list = DIFF_INPUTS[opType];
  return list ? list.includes(index) : true;
}

import { Option } from 'commander';
import type { LoadedModel } from '../core/model/loadModel';
import { getModel } from '../core/model/modelCache';
import { bundledModelPath } from './paths';

export interface ModelFlags {
  readonly model?: string;
  readonly threads?: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got '${value}'`);
  return n;
}

export const parsePositiveInt = positiveInt;

export const modelOption = new Option('-m, --model <path>', 'model manifest (.json), bare .onnx, or folder (default: the bundled demo model)');
export const threadsOption = new Option('--threads <n>', 'onnxruntime threads (default: min(4, cores))').argParser(positiveInt);

export function loadModelFromFlags(flags: ModelFlags): Promise<LoadedModel> {
  return getModel(flags.model ?? bundledModelPath(), flags.threads !== undefined ? { threads: flags.threads } : {});
}

/** The model as every JSON output describes it: one definition, shared with the extension's reports. */
export { describeModel as modelSummary } from '../core/report/classifyReport';

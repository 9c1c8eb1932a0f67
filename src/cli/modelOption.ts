import { Option } from 'commander';
import type { LoadedModel, ModelOptions } from '../core/model/loadModel';
import { getModel } from '../core/model/modelCache';
import { bundledModelPath } from './paths';

export interface ModelFlags {
  readonly model?: string;
  readonly threads?: number;
  readonly provider: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got '${value}'`);
  return n;
}

export const parsePositiveInt = positiveInt;

export const modelOption = new Option('-m, --model <path>', 'model manifest (.json), bare .onnx, or folder (default: the bundled demo model)');
export const threadsOption = new Option('--threads <n>', 'onnxruntime threads (default: min(4, cores))').argParser(positiveInt);
// Availability is onnxruntime's answer at load time, so a wrong name fails with the list this runtime has.
export const providerOption = new Option('--provider <name>', 'onnxruntime execution provider this runtime lists (cpu, webgpu, cuda, …)').default('cpu');

/** Session options named by --threads and --provider. */
export function modelOptions(flags: Pick<ModelFlags, 'threads' | 'provider'>): ModelOptions {
  return { threads: flags.threads, provider: flags.provider };
}

export function loadModelFromFlags(flags: ModelFlags): Promise<LoadedModel> {
  return getModel(flags.model ?? bundledModelPath(), modelOptions(flags));
}

/** The model as every JSON output describes it: one definition, shared with the extension's reports. */
export { describeModel as modelSummary } from '../core/report/classifyReport';

import { ScanLensError } from '../errors';
import { ort } from '../native/ort';

/**
 * Every execution provider a published onnxruntime-node build can list:
 * cpu everywhere, webgpu (Windows, macOS, Linux x64), dml (Windows),
 * coreml (macOS), cuda and tensorrt (Linux x64, installed separately).
 * Which of them this installation has is availableProviders()'s answer.
 */
export const EXECUTION_PROVIDERS = ['cpu', 'webgpu', 'dml', 'coreml', 'cuda', 'tensorrt'] as const;

/** A provider that is missing from this runtime, or that onnxruntime could not start. */
export class ExecutionProviderError extends ScanLensError {
  constructor(
    message: string,
    readonly provider: string,
    file?: string,
  ) {
    super(message, file);
  }
}

/** Execution providers this onnxruntime build lists: bundled ones, and ones that need a separate install. */
export function availableProviders(): { name: string; bundled: boolean }[] {
  return ort()
    .listSupportedBackends()
    .map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** Why `provider` cannot be used with a runtime listing `listed`, or undefined when it is listed. */
export function providerProblem(provider: string, listed: readonly string[]): string | undefined {
  if (listed.includes(provider)) return undefined;
  return `execution provider '${provider}' is not in this onnxruntime; it has: ${listed.join(', ')}`;
}

/** Refuses a provider this runtime does not list, before any model is read. */
export function checkProvider(provider: string): void {
  const problem = providerProblem(
    provider,
    availableProviders().map((b) => b.name),
  );
  if (problem) throw new ExecutionProviderError(problem, provider);
}

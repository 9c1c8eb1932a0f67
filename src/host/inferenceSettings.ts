import { z } from 'zod';
import { ScanLensError } from '../core/errors';
import { providerProblem } from '../core/model/executionProviders';

export const PROVIDER_SETTING = 'scanlens.provider';
export const THREADS_SETTING = 'scanlens.threads';
/** Far above any useful count; bounds what a settings file can ask onnxruntime to start. */
export const MAX_THREADS = 256;

/** How the host runs models, from the settings; threads undefined means automatic, min(4, cores). */
export interface InferenceSettings {
  readonly provider: string;
  readonly threads?: number;
}

const ProviderSchema = z.string().trim().min(1).default('cpu');
const ThreadsSchema = z.number().int().min(0).max(MAX_THREADS).default(0);

function parseSetting<T>(name: string, schema: z.ZodType<T>, value: unknown, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ScanLensError(`${name}: expected ${expected}, got ${JSON.stringify(value)}`);
  return parsed.data;
}

/**
 * The two settings as the engine takes them, or one line naming the setting
 * that is wrong. `listed` is what this onnxruntime lists, so a provider it
 * lacks is refused before any model is read.
 */
export function parseInferenceSettings(raw: { readonly provider: unknown; readonly threads: unknown }, listed: readonly string[]): InferenceSettings {
  const provider = parseSetting(PROVIDER_SETTING, ProviderSchema, raw.provider, 'the name of an execution provider such as "cpu"');
  const problem = providerProblem(provider, listed);
  if (problem) throw new ScanLensError(`${PROVIDER_SETTING}: ${problem}`);
  const threads = parseSetting(THREADS_SETTING, ThreadsSchema, raw.threads, `a whole number from 0 (automatic) to ${MAX_THREADS}`);
  return threads === 0 ? { provider } : { provider, threads };
}

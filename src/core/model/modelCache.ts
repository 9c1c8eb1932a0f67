import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadModel, defaultThreads, type LoadedModel, type ModelOptions } from './loadModel';

const cache = new Map<string, Promise<LoadedModel>>();

/**
 * One InferenceSession per model file, thread count and execution provider: loading hashes the
 * file and builds the session, so callers that classify repeatedly share it.
 * A changed file (size or mtime) gets a fresh load; a failed load is not kept.
 */
export async function getModel(path: string, options: ModelOptions = {}): Promise<LoadedModel> {
  const full = resolve(path);
  const info = await stat(full).catch(() => undefined);
  const key = JSON.stringify([full, info?.mtimeMs, info?.size, options.threads ?? defaultThreads(), options.maxModelBytes, options.provider ?? 'cpu']);
  let entry = cache.get(key);
  if (!entry) {
    entry = loadModel(path, options);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** Releases every cached session (extension deactivation, tests). */
export async function releaseModels(): Promise<void> {
  const entries = [...cache.values()];
  cache.clear();
  await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.session.release()));
}

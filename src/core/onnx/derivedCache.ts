import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/**
 * Derived models (the user's model plus exposed tensors or gradient nodes)
 * are written here, keyed by the model's sha256 and the request, so the
 * user's file is never touched and a repeated request costs one read.
 */
export function derivedCacheDir(override?: string): string {
  if (override) return override;
  const env = process.env['SCANLENS_CACHE_DIR'];
  if (env) return join(env, 'derived');
  const base =
    platform() === 'win32'
      ? (process.env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'))
      : platform() === 'darwin'
        ? join(homedir(), 'Library', 'Caches')
        : (process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'));
  return join(base, 'scanlens', 'derived');
}

const keys = new Map<string, string>();

/** The cache key of a derived model; remembered, since every explanation and anomaly score asks for its session's key again. */
export function derivedKey(modelSha256: string, request: unknown): string {
  const text = `${modelSha256}\0${JSON.stringify(request)}`;
  let key = keys.get(text);
  if (key === undefined) {
    key = createHash('sha256').update(text).digest('hex');
    keys.set(text, key);
  }
  return key;
}

/** Returns cached bytes for the key, or builds, stores and returns them. */
export async function cachedDerived(dir: string, key: string, build: () => Uint8Array | Promise<Uint8Array>): Promise<{ bytes: Uint8Array; path: string; hit: boolean }> {
  const path = join(dir, `${key}.onnx`);
  const existing = await readFile(path).catch(() => undefined);
  if (existing) return { bytes: existing, path, hit: true };
  const bytes = await build();
  try {
    await mkdir(dir, { recursive: true });
    // Write-then-rename: a concurrent reader never sees half a model.
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch {
    // A read-only or full cache costs a rebuild next time, never the explanation.
  }
  return { bytes, path, hit: false };
}

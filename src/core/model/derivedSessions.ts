import { createHash } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import type { LoadedModel } from './loadModel';
import { verifiedModelBytes } from './modelBytes';
import { sessionOptions } from './sessionOptions';
import { ort } from '../native/ort';
import { cachedDerived, derivedCacheDir } from '../onnx/derivedCache';

export interface DerivedSessionOptions {
  /** Where derived models are cached; default SCANLENS_CACHE_DIR/derived or the OS cache folder. */
  readonly cacheDir?: string;
  /** Intra-op threads; default the model's own. */
  readonly threads?: number;
}

/**
 * Where onnxruntime's optimised form of a derived model is kept: its graph
 * fusions and memory layouts are chosen for this CPU and runtime version, so
 * both are part of the name and another machine sharing the cache optimises
 * its own.
 */
function optimizedPath(dir: string, key: string): string {
  const machine = createHash('sha256')
    .update(`${ort().env.versions.common}|${process.arch}|${cpus()[0]?.model ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  return join(dir, `${key}.${machine}.optimized.onnx`);
}

/**
 * Creates the session, saving onnxruntime's optimised graph to `optimized` on
 * the way (through a temporary name, renamed once whole), so the next process
 * skips the optimisation, which is most of a large model's session start. A
 * cache that cannot be written costs only the saving.
 */
async function createSaving(bytes: Uint8Array, options: InferenceSession.SessionOptions, optimized: string | undefined): Promise<InferenceSession> {
  if (!optimized) return ort().InferenceSession.create(bytes, options);
  const temp = `${optimized}.${process.pid}.${Date.now()}.tmp`;
  const session = await ort()
    .InferenceSession.create(bytes, { ...options, optimizedModelFilePath: temp })
    .catch(() => undefined);
  if (!session) {
    await rm(temp, { force: true });
    return ort().InferenceSession.create(bytes, options);
  }
  await rename(temp, optimized).catch(() => rm(temp, { force: true }));
  return session;
}

/**
 * Sessions on models derived from a loaded one (explanation graphs, feature
 * outputs). The derived bytes are cached on disk by `key` alone; a session is
 * kept per key, provider and thread count, and runs as the model's own does.
 */
export class DerivedSessions {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();

  /** `what` names the derived model in the one-line error when onnxruntime refuses it. */
  constructor(private readonly what: string) {}

  open(model: LoadedModel, key: string, options: DerivedSessionOptions, build: (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>): Promise<InferenceSession> {
    const { provider } = model;
    const threads = options.threads ?? model.threads;
    const sessionKey = JSON.stringify([key, provider, threads]);
    let entry = this.sessions.get(sessionKey);
    if (!entry) {
      entry = (async () => {
        const dir = derivedCacheDir(options.cacheDir);
        const optimized = provider === 'cpu' ? optimizedPath(dir, key) : undefined;
        // Optimised before, on this machine and runtime: nothing left to optimise (read by onnxruntime itself, no copy through JavaScript). A missing or damaged file is rebuilt below.
        const reused = optimized
          ? await ort()
              .InferenceSession.create(optimized, { ...sessionOptions(provider, threads), graphOptimizationLevel: 'disabled' })
              .catch(() => undefined)
          : undefined;
        if (reused) return reused;
        const { bytes } = await cachedDerived(dir, key, async () => build(await verifiedModelBytes(model)));
        try {
          return await createSaving(bytes, sessionOptions(provider, threads), optimized);
        } catch (error) {
          throw new ScanLensError(`onnxruntime cannot load ${this.what} (${oneLine(error)})`, model.onnxPath);
        }
      })();
      this.sessions.set(sessionKey, entry);
      entry.catch(() => this.sessions.delete(sessionKey));
    }
    return entry;
  }

  /** Releases every session (tests, extension deactivation). */
  async release(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.release()));
  }
}

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { InferenceSession } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import type { LoadedModel } from './loadModel';
import { sessionOptions } from './sessionOptions';
import { ort } from '../native/ort';
import { cachedDerived, derivedCacheDir } from '../onnx/derivedCache';

/** The model's bytes, checked against the hash it was loaded with, so a derived model is built from what was vetted. */
export async function verifiedModelBytes(model: LoadedModel): Promise<Uint8Array> {
  const bytes = await readFile(model.onnxPath).catch((error: unknown) => {
    throw new ScanLensError(`cannot read the model (${oneLine(error)})`, model.onnxPath);
  });
  if (createHash('sha256').update(bytes).digest('hex') !== model.sha256) throw new ScanLensError('the model file changed since it was loaded', model.onnxPath);
  return bytes;
}

export interface DerivedSessionOptions {
  /** Where derived models are cached; default SCANLENS_CACHE_DIR/derived or the OS cache folder. */
  readonly cacheDir?: string;
  /** Intra-op threads; default the model's own. */
  readonly threads?: number;
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
        const { bytes } = await cachedDerived(derivedCacheDir(options.cacheDir), key, async () => build(await verifiedModelBytes(model)));
        try {
          return await ort().InferenceSession.create(bytes, sessionOptions(provider, threads));
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

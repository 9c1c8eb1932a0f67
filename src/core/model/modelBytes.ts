import { createHash } from 'node:crypto';
import { ScanLensError, oneLine } from '../errors';
import { readRegularFile } from '../io/regularFile';
import type { LoadedModel } from './loadModel';

/**
 * The bytes a model was loaded from, held weakly by their sha256: while they
 * are still in memory (a CLI explain right after loading, say) the graph
 * surgery of explanations and anomaly features starts from them instead of
 * reading and hashing the file again; once collected, the file is read and
 * checked afresh.
 */
const loaded = new Map<string, WeakRef<Uint8Array>>();

/** Called by loadModel with the very bytes it hashed and vetted. */
export function rememberModelBytes(sha256: string, bytes: Uint8Array): void {
  loaded.set(sha256, new WeakRef(bytes));
}

/** The model's bytes, as vetted at load or read again and checked against its hash, so a derived model is built from what was vetted. */
export async function verifiedModelBytes(model: LoadedModel): Promise<Uint8Array> {
  const kept = loaded.get(model.sha256)?.deref();
  if (kept) return kept;
  const bytes = await readRegularFile(model.onnxPath, Number.MAX_SAFE_INTEGER, 'model file').catch((error: unknown) => {
    throw new ScanLensError(`cannot read the model (${oneLine(error)})`, model.onnxPath);
  });
  if (createHash('sha256').update(bytes).digest('hex') !== model.sha256) throw new ScanLensError('the model file changed since it was loaded', model.onnxPath);
  rememberModelBytes(model.sha256, bytes);
  return bytes;
}

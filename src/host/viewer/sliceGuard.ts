import { guardFor, type OodGuard } from '../../core/anomaly/oodGuard';
import type { LoadedModel } from '../../core/model/loadModel';

const guards = new WeakMap<LoadedModel, Promise<OodGuard | undefined>>();

/**
 * The model's out-of-distribution guard, opened once per loaded model: the
 * viewer checks every slice it stops on. The detector runs with the model's
 * own provider and threads (guardFor's default); a changed scanlens.provider or
 * scanlens.threads loads a new model, and so opens a new guard. A guard that
 * fails to open is forgotten, so the next request reports the reason again
 * instead of a stale one.
 */
export function sliceGuard(model: LoadedModel): Promise<OodGuard | undefined> {
  let guard = guards.get(model);
  if (!guard) {
    guard = guardFor(model);
    guards.set(model, guard);
    guard.catch(() => guards.delete(model));
  }
  return guard;
}

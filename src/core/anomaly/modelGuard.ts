import type { LoadedModel } from '../model/loadModel';
import { guardFor, type OodGuard } from './oodGuard';

const guards = new WeakMap<LoadedModel, Promise<OodGuard | undefined>>();

/**
 * The model's out-of-distribution guard, opened once per loaded model and
 * shared by every surface that runs it (viewer slices, right-click classify,
 * notebook cells) rather than opened per request. The detector runs with the model's
 * own provider and threads (guardFor's default); a changed scanlens.provider or
 * scanlens.threads loads a new model, and so opens a new guard. A guard that
 * fails to open is forgotten, so the next request reports the reason again
 * instead of a stale one.
 */
export function modelGuard(model: LoadedModel): Promise<OodGuard | undefined> {
  let guard = guards.get(model);
  if (!guard) {
    guard = guardFor(model);
    guards.set(model, guard);
    guard.catch(() => guards.delete(model));
  }
  return guard;
}

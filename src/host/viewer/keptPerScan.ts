import type { Scan } from '../../core/scan/scan';

/**
 * The promise kept for an owner (a model, a detector) and a scan, made on
 * first asking; forgotten if it fails, so the next asking tries again. Both
 * keys are weak: closing the document or changing the model lets it go.
 */
export function keptPerScan<K extends object, T>(cache: WeakMap<K, WeakMap<Scan, Promise<T>>>, owner: K, scan: Scan, make: () => Promise<T>): Promise<T> {
  let byScan = cache.get(owner);
  if (!byScan) cache.set(owner, (byScan = new WeakMap()));
  let result = byScan.get(scan);
  if (!result) {
    const started = make();
    const kept = byScan;
    started.catch(() => kept.get(scan) === started && kept.delete(scan));
    byScan.set(scan, (result = started));
  }
  return result;
}

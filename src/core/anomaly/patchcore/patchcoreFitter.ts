import { ScanLensError } from '../../errors';
import type { FeatureFitter } from '../detector';
import { greedyCoreset } from './greedyCoreset';
import { PatchcoreDetector } from './patchcoreDetector';

export interface PatchcoreOptions {
  /** Patches kept in the final memory bank. */
  readonly bankSize: number;
  /** Patches buffered before the buffer is condensed (bounds memory whatever the image count). */
  readonly bufferSize: number;
  readonly seed: number;
}

export const DEFAULT_PATCHCORE: PatchcoreOptions = { bankSize: 4096, bufferSize: 16384, seed: 0 };

/**
 * The memory bank as a fraction of all training patches. The paper keeps
 * 1-10 %; 1 % because the greedy selection's time grows with bank × patches
 * and on the held-out brain check 10 % scored no better (docs/anomaly.md).
 */
export const DEFAULT_CORESET = 0.01;

/**
 * Collects every position's feature vector. When the buffer fills, a coreset
 * condenses it to the bank size — streaming, so memory is bufferSize × d
 * whatever the image count — and a last coreset gives the final bank.
 */
export class PatchcoreFitter implements FeatureFitter {
  private buffer: Float32Array;
  private rows = 0;
  private images = 0;
  private condensed = 0;

  /**
   * `from`: a fitted memory bank to go on from (anomaly add): its rows start
   * the buffer, and the coreset condenses them with the new patches. Not the
   * bank a fit on all the images would give (that coreset would choose among
   * every patch, not the kept ones), but the same greedy rule over what is kept.
   */
  constructor(
    private readonly dims: number,
    private readonly options: PatchcoreOptions = DEFAULT_PATCHCORE,
    from?: Float32Array,
  ) {
    if (options.bankSize < 1 || options.bufferSize < 2 * options.bankSize) throw new ScanLensError('PatchCore buffer must hold at least twice the bank size');
    this.buffer = new Float32Array(options.bufferSize * dims);
    if (from) {
      if (from.length % dims !== 0 || from.length > this.buffer.length)
        throw new ScanLensError(`a memory bank of ${from.length} values does not fit a buffer of ${options.bufferSize} ${dims}-channel patches`);
      this.buffer.set(from);
      this.rows = from.length / dims;
    }
  }

  get count(): number {
    return this.images;
  }

  add(features: Float32Array): void {
    const d = this.dims;
    const p = features.length / d;
    if (!Number.isInteger(p)) throw new ScanLensError(`features have ${features.length} values, not a multiple of ${d} channels`);
    for (let pos = 0; pos < p; pos++) {
      if (this.rows === this.options.bufferSize) this.condense(this.options.bankSize);
      for (let c = 0; c < d; c++) this.buffer[this.rows * d + c] = features[c * p + pos]!;
      this.rows++;
    }
    this.images++;
  }

  private condense(target: number): void {
    const d = this.dims;
    const keep = greedyCoreset(this.buffer.subarray(0, this.rows * d), d, target, this.options.seed + this.condensed++);
    const next = new Float32Array(this.options.bufferSize * d);
    keep.forEach((row, i) => next.set(this.buffer.subarray(row * d, (row + 1) * d), i * d));
    this.buffer = next;
    this.rows = keep.length;
  }

  finish(): PatchcoreDetector {
    if (this.images < 1) throw new ScanLensError('PatchCore needs at least 1 training image');
    this.condense(Math.min(this.rows, this.options.bankSize));
    return new PatchcoreDetector(this.buffer.slice(0, this.rows * this.dims), this.dims);
  }
}

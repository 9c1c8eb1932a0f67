import type { Image2D } from '../image';

/**
 * Argument checks shared by the stages, so every bad input is reported the
 * same way: which stage, which parameter, what was wrong.
 */

/** The MRI stages work on one grey channel; the engine converts RGB before them. */
export function requireGrey(image: Image2D, stage: string): void {
  if (image.channels !== 1) {
    throw new Error(`${stage}: needs a single-channel (grey) image, got ${image.channels} channels`);
  }
}

export interface ParamRule {
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  readonly integer?: boolean;
}

export function checkParam(stage: string, name: string, value: number, rule: ParamRule = {}): void {
  const fail = (why: string): never => {
    throw new Error(`${stage}: parameter "${name}" ${why}, got ${String(value)}`);
  };
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a finite number');
  if (rule.integer && !Number.isInteger(value)) fail('must be an integer');
  if (rule.min !== undefined && value < rule.min) fail(`must be >= ${rule.min}`);
  if (rule.above !== undefined && value <= rule.above) fail(`must be > ${rule.above}`);
  if (rule.max !== undefined && value > rule.max) fail(`must be <= ${rule.max}`);
}

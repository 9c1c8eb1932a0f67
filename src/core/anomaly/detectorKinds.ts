import type { Method } from './detector';
import type { DetectorKind } from './detectorKind';
import { padim } from './padim';
import { patchcore } from './patchcore';

/** Every detector kind by the method name detector files record; a new kind is one folder and one line here. */
export const DETECTOR_KINDS: { readonly [K in Method]: DetectorKind } = { padim, patchcore };

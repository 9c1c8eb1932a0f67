import type { StageName } from '../model/manifest';

/** The classic MRI pipeline, in the order the system ScanLens grew from ran it. */
export const CLASSIC_PIPELINE: readonly StageName[] = ['denoise', 'clahe', 'sharpen', 'edges', 'normalize', 'skullstrip'];

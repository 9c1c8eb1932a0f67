import { z } from 'zod';

/**
 * An explanation's scorecard as results carry it (core/explain/scorecard/scorecard.ts):
 * the notebook's explain payload, and so the saved .ipynb.
 */
const probability = z.number().min(0).max(1);
const curve = z.strictObject({ auc: z.number(), probabilities: z.array(probability) });
const road = z.strictObject({ percentages: z.array(z.number()), probabilities: z.array(probability), mean: z.number() });
/** A correlation or SSIM of a constant map does not exist: null. */
const similarity = z.number().nullable();

export const ScorecardSchema = z.strictObject({
  classIndex: z.number().int().nonnegative(),
  confidence: z.strictObject({ original: probability, explanationMap: probability, drop: z.number().min(0), increase: z.boolean() }),
  deletion: curve,
  insertion: curve,
  road: z.strictObject({ noise: z.number(), mostRelevantFirst: road, leastRelevantFirst: road, combined: z.number() }),
  randomisation: z.union([
    z.strictObject({ seed: z.number().int(), steps: z.array(z.strictObject({ layer: z.string(), spearman: similarity, ssim: similarity })) }),
    z.strictObject({ skipped: z.string() }),
  ]),
  mask: z.strictObject({ maskPixels: z.number().int().nonnegative(), pointingGame: z.boolean(), relevanceMass: z.number().nullable() }).optional(),
  notes: z.array(z.string()),
});

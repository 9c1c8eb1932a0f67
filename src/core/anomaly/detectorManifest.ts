import { z } from 'zod';
import { METHODS } from './detector';

/**
 * detector.json: what a fitted detector is and how to reproduce its inputs.
 * Versioned and strict, like the model manifest; the arrays sit beside it as
 * .npy files whose sha256 is recorded, so a half-replaced folder is refused.
 */
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const size = z.strictObject({ width: z.number().int().positive().max(1024), height: z.number().int().positive().max(1024) });

export const DetectorManifestSchema = z.strictObject({
  schema: z.literal('scanlens.detector/1'),
  method: z.enum(METHODS),
  scanlens: z.string(),
  backbone: z.strictObject({
    name: z.string().min(1),
    sha256,
    /** The backbone manifest or .onnx, relative to the detector folder. */
    path: z.string().min(1),
  }),
  features: z.strictObject({
    layers: z.array(z.string().min(1)).min(1).max(8),
    grid: size,
    channels: z.array(z.number().int().min(0)).min(1).max(4096),
    seed: z.number().int(),
    /** PatchCore's locally aware features: each map averaged over this neighbourhood (odd) before resizing. */
    neighbourhood: z
      .number()
      .int()
      .min(1)
      .max(9)
      .refine((p) => p % 2 === 1, 'must be odd')
      .optional(),
  }),
  map: z.strictObject({ sigma: z.number().min(0).max(64) }),
  parameters: z.record(z.string(), z.number()),
  arrays: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.strictObject({ file: z.string().regex(/^[a-z][a-z0-9_-]*\.npy$/), sha256 })),
  threshold: z.strictObject({
    /** The threshold in force. */
    value: z.number().finite(),
    /** How `anomaly fit` set it: this percentile of its held-out normals' scores. */
    percentile: z.number().min(0).max(100),
    calibration: z.strictObject({
      images: z.number().int().min(1),
      min: z.number(),
      max: z.number(),
      mean: z.number(),
      /** The held-out normal scans' scores, ascending (what the viewer's histogram shows); absent in detectors fitted before. */
      scores: z.array(z.number()).max(100_000).optional(),
    }),
    /** How `anomaly threshold` chose it since, on which scans, and what it gives there. */
    chosen: z
      .strictObject({
        rule: z.enum(['fpr', 'f1']),
        fpr: z.number().min(0).max(1).optional(),
        normal: z.number().int().min(1),
        anomalous: z.number().int().min(0),
        falsePositiveRate: z.number().min(0).max(1),
        recall: z.number().min(0).max(1).optional(),
        f1: z.number().min(0).max(1).optional(),
      })
      .optional(),
  }),
  training: z.strictObject({
    /** Normal scans the detector was fitted on, those `anomaly add` folded in since included. */
    images: z.number().int().min(1),
    failed: z.number().int().min(0),
    /** Of `images`, how many `anomaly add` folded in after fitting. */
    added: z.number().int().min(1).optional(),
  }),
});

export type DetectorManifest = z.infer<typeof DetectorManifestSchema>;

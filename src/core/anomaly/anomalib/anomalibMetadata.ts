import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { ScanLensError, oneLine } from '../../errors';

/**
 * The metadata.json anomalib v1 writes beside an export: thresholds and the
 * min/max of its normalisation (other keys, such as the transform, are
 * anomalib's own and passed over). v2 exports normalise inside the graph
 * and need none of this.
 */
const finite = z.number().finite();
export const AnomalibMetadataSchema = z.looseObject({
  image_threshold: finite.optional(),
  pixel_threshold: finite.optional(),
  min: finite.optional(),
  max: finite.optional(),
  'pred_scores.min': finite.optional(),
  'pred_scores.max': finite.optional(),
  'anomaly_maps.min': finite.optional(),
  'anomaly_maps.max': finite.optional(),
});

export interface Normalisation {
  readonly threshold: number;
  readonly min: number;
  readonly max: number;
}

export interface AnomalibMetadata {
  readonly file: string;
  /** Image-score normalisation, when the metadata has a threshold, min and max. */
  readonly image?: Normalisation;
  /** Map normalisation: pixel threshold (else the image one) with the map min/max (else the shared ones). */
  readonly pixel?: Normalisation;
  /** The raw image threshold, used as it is when there is nothing to normalise with. */
  readonly imageThreshold?: number;
}

const MAX_BYTES = 16 * 1024 * 1024;

function normalisation(threshold: number | undefined, min: number | undefined, max: number | undefined, file: string): Normalisation | undefined {
  if (threshold === undefined || min === undefined || max === undefined) return undefined;
  if (!(max > min)) throw new ScanLensError(`normalisation max (${max}) must be above min (${min})`, file);
  return { threshold, min, max };
}

/** Reads metadata.json; undefined when there is none. */
export async function readAnomalibMetadata(file: string): Promise<AnomalibMetadata | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isFile() || info.size > MAX_BYTES) throw new ScanLensError(`anomalib metadata must be a JSON file under ${MAX_BYTES} bytes`, file);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ScanLensError(`anomalib metadata is not JSON (${oneLine(error)})`, file);
  }
  const parsed = AnomalibMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScanLensError(`anomalib metadata field '${issue.path.join('.') || '(root)'}': ${issue.message}`, file);
  }
  const m = parsed.data;
  const image = normalisation(m.image_threshold, m['pred_scores.min'] ?? m.min, m['pred_scores.max'] ?? m.max, file);
  const pixel = normalisation(m.pixel_threshold ?? m.image_threshold, m['anomaly_maps.min'] ?? m.min, m['anomaly_maps.max'] ?? m.max, file);
  return { file, image, pixel, imageThreshold: m.image_threshold };
}

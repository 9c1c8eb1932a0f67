/** Memory over a long batch: RSS sampled as rows stream, growth measured after the first tenth (warm-up). */
import { classifyFiles } from '../src/core/classify/classify';
import type { LoadedModel } from '../src/core/model/loadModel';
import { rssMb } from './stats';

export interface SoakResult {
  readonly images: number;
  readonly rss_mb: { readonly warm: number; readonly end: number; readonly peak: number };
  readonly rss_growth_mb: number;
}

export async function soak(model: LoadedModel, files: readonly string[], batch: number): Promise<SoakResult> {
  let warm = 0;
  let peak = rssMb();
  let done = 0;
  for await (const row of classifyFiles(model, files, { batchSize: batch })) {
    if (row.error) throw new Error(row.error);
    done++;
    if (done % batch === 0) peak = Math.max(peak, rssMb());
    if (done === Math.ceil(files.length / 10)) warm = rssMb();
  }
  const end = rssMb();
  return { images: files.length, rss_mb: { warm, end, peak: Math.max(peak, end) }, rss_growth_mb: end - warm };
}

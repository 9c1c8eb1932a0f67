import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import { thumbnailJob, type ThumbnailSource } from '../../core/jobs/thumbnailJob';
import type { Intensity } from '../../core/model/manifest';

/** Longest side of a thumbnail, in pixels: the grid's tiles show them at up to this size. */
export const THUMBNAIL_PX = 128;

/** Thumbnails made at once: enough to fill a screen quickly, few enough to leave the host responsive. */
const CONCURRENCY = 3;

/**
 * Thumbnails of one result file, made on first asking and kept as JPEG files
 * under the extension's storage (never in the workspace), in a folder keyed by
 * the result's path, size and time, so a rewritten result gets fresh ones.
 */
export class ThumbnailCache {
  private readonly making = new Map<number, Promise<string>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private intensityOnce: Promise<Intensity> | undefined;

  private constructor(
    readonly folder: string,
    private readonly intensity: () => Promise<Intensity>,
  ) {}

  static async for(storage: string, resultPath: string, intensity: () => Promise<Intensity>): Promise<ThumbnailCache> {
    const info = await stat(resultPath);
    const key = createHash('sha256').update(`${resultPath}\n${info.size}\n${info.mtimeMs}\n${THUMBNAIL_PX}`).digest('hex').slice(0, 24);
    return new ThumbnailCache(join(storage, 'results-thumbnails', key), intensity);
  }

  /** The JPEG of entry `index`: from the cache, or made now. */
  file(index: number, source: ThumbnailSource): Promise<string> {
    const made = this.making.get(index);
    if (made) return made;
    const path = join(this.folder, `${index}.jpg`);
    const making = stat(path).then(
      () => path,
      () => this.limited(() => this.make(path, source)),
    );
    // A failure is not cached: the scan may be readable next time.
    making.catch(() => this.making.delete(index));
    this.making.set(index, making);
    return making;
  }

  private async make(path: string, source: ThumbnailSource): Promise<string> {
    // Asked once per result: a failed model load is asked again on the next thumbnail.
    this.intensityOnce ??= this.intensity().catch((error: unknown) => {
      this.intensityOnce = undefined;
      throw error;
    });
    const picture = await thumbnailJob(source, { box: THUMBNAIL_PX, intensity: await this.intensityOnce });
    await writeFileAtomic(path, picture.jpeg);
    return path;
  }

  private async limited<T>(run: () => Promise<T>): Promise<T> {
    if (this.running >= CONCURRENCY) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await run();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}

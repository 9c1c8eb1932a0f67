import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { releaseModels } from '../../src/core/model/modelCache';
import { launchChromium } from './browser';

/**
 * A browser test file's set-up: a fresh folder, also the derived-model cache
 * so tests never write to the user's; `prepare` and chromium before its
 * tests; after them the browser, the folder and every model and feature
 * session released.
 */
export function browserBed(name: string, prepare: (work: string) => Promise<void>): { work: string; browser: () => Browser } {
  const work = mkdtempSync(join(tmpdir(), `scanlens-${name}-`));
  process.env['SCANLENS_CACHE_DIR'] = work;
  let browser: Browser | undefined;
  before(async () => {
    await prepare(work);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
    await releaseFeatureSessions();
    await releaseModels();
  });
  return { work, browser: () => browser! };
}

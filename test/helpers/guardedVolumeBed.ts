import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { guardFor, type OodGuard } from '../../src/core/anomaly/oodGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel, releaseModels } from '../../src/core/model/modelCache';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import type { Scan } from '../../src/core/scan/scan';
import { guardedDemoModel } from './guardedModel';
import { writeGuardedVolume } from './guardedVolume';

export interface GuardedVolumeBed {
  /** A fresh folder, also the derived-model cache. */
  readonly work: string;
  /** The guarded demo classifier, its guard and the volume decoded: set before the file's tests run. */
  readonly model: LoadedModel;
  readonly guard: OodGuard;
  readonly scan: Scan;
}

/** Registers a test file's set-up: the guarded model, its guard and the decoded volume before its tests; after them, the folder and every session released. */
export function guardedVolumeBed(name: string): GuardedVolumeBed {
  const work = mkdtempSync(join(tmpdir(), `scanlens-${name}-`));
  process.env['SCANLENS_CACHE_DIR'] = work;
  const bed = { work } as { work: string; model: LoadedModel; guard: OodGuard; scan: Scan };
  before(async () => {
    bed.model = await getModel(guardedDemoModel(work), { threads: 2 });
    bed.guard = (await guardFor(bed.model))!;
    bed.scan = await loadScan(await writeGuardedVolume(join(work, 'volume.nii')), DEFAULT_LIMITS);
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await releaseFeatureSessions();
    await releaseModels();
  });
  return bed;
}

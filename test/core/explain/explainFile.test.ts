import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { explainJob } from '../../../src/core/jobs/explainJob';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { loadModel } from '../../../src/core/model/loadModel';
import { explanationPng } from '../../../src/core/render/explanationOverlay';
import { demoWithFit, wideSlice } from '../../helpers/fittedDemo';

const work = mkdtempSync(join(tmpdir(), 'scanlens-explain-file-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(async () => {
  await releaseExplainSessions();
  rmSync(work, { recursive: true, force: true });
});

async function overlayFor(fit: 'contain' | 'cover'): Promise<{ rgb: Buffer; width: number; height: number; slice: Buffer }> {
  const model = await loadModel(demoWithFit(work, fit), { threads: 1 });
  const { path, pixels } = await wideSlice(work);
  const { explanation, base } = await explainJob(model, path, { method: 'gradcam' });
  const png = explanationPng(base, explanation.map, model.manifest.input, 'jet', 0.5);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  await model.session.release();
  return { rgb: data, width: info.width, height: info.height, slice: pixels };
}

const untouched = (o: { rgb: Buffer; slice: Buffer }, i: number): boolean => [0, 1, 2].every((c) => o.rgb[i * 3 + c] === o.slice[i]);

test('a cover model: the overlay is the whole slice, with the map over the 128 columns the model saw and the cropped margins left as they are', async () => {
  const o = await overlayFor('cover');
  assert.deepEqual([o.width, o.height], [192, 128]);
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 192; x++) {
      if (x < 32 || x >= 160) assert.ok(untouched(o, y * 192 + x), `margin pixel (${x}, ${y}) is the slice's own`);
    }
  }
  const blended = Array.from({ length: 192 * 128 }, (_, i) => i).filter((i) => i % 192 >= 32 && i % 192 < 160 && !untouched(o, i));
  assert.equal(blended.length, 128 * 128, 'every pixel the model saw carries the map');
});

test('a contain model: the overlay is the whole slice, all of it carrying the map', async () => {
  const o = await overlayFor('contain');
  assert.deepEqual([o.width, o.height], [192, 128]);
  const blended = Array.from({ length: 192 * 128 }, (_, i) => i).filter((i) => !untouched(o, i));
  assert.equal(blended.length, 192 * 128);
});

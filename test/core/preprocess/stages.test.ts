import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StageNameSchema, type Stage, type StageName } from '../../../src/core/model/manifest';
import { describeStage, runStage, runStages } from '../../../src/core/preprocess/stages';
import { imageFrom, rgbImage, seededNormal } from './synthetic';

const ALL: StageName[] = [...StageNameSchema.options];
const noise = seededNormal(5);
const slice = imageFrom(64, 64, (x, y) => Math.min(1, Math.max(0, (Math.hypot(x - 32, y - 32) < 20 ? 0.6 : 0.1) + 0.03 * noise())));

test('every stage has a description and defaults', () => {
  for (const name of ALL) {
    const { description, defaults } = describeStage(name);
    assert.ok(description.length > 10, name);
    assert.ok(Object.keys(defaults).length > 0, name);
  }
  assert.deepEqual(describeStage('clahe').defaults, { clipLimit: 2, tilesX: 8, tilesY: 8 });
});

test('runStages returns every intermediate, in order, with the parameters it used', () => {
  const stages: Stage[] = ['denoise', { stage: 'clahe', params: { clipLimit: 3 } }, 'normalize'];
  const steps = runStages(slice, stages);
  assert.deepEqual(
    steps.map((s) => [s.name, s.params]),
    [
      ['denoise', describeStage('denoise').defaults],
      ['clahe', { clipLimit: 3, tilesX: 8, tilesY: 8 }],
      ['normalize', describeStage('normalize').defaults],
    ],
  );
  const chained = runStage(runStage(runStage(slice, 'denoise'), { stage: 'clahe', params: { clipLimit: 3 } }), 'normalize');
  assert.deepEqual(steps.at(-1)!.image.data, chained.data);
  assert.deepEqual(runStages(slice, []), []);
});

test('an unknown parameter or stage is an error naming it', () => {
  assert.throws(() => runStage(slice, { stage: 'clahe', params: { clip: 3 } }), /clahe: unknown parameter "clip" \(parameters are clipLimit, tilesX, tilesY\)/);
  assert.throws(() => runStage(slice, { stage: 'sharpen', params: { sigma: -1 } }), /sharpen: parameter "sigma"/);
  assert.throws(() => runStage(slice, 'blur' as StageName), /unknown preprocessing stage "blur"/);
  assert.throws(() => runStage(slice, { stage: 'denoise', params: { toString: 1 } }), /denoise: unknown parameter "toString"/);
});

test('every stage refuses a colour image and leaves its input untouched', () => {
  const before = Float32Array.from(slice.data);
  for (const name of ALL) {
    assert.throws(() => runStage(rgbImage, name), new RegExp(`${name}: needs a single-channel`));
    const out = runStage(slice, name);
    assert.equal(out.channels, 1);
    assert.equal(out.width * out.height, out.data.length);
    assert.notEqual(out.data, slice.data);
  }
  assert.deepEqual(slice.data, before);
});

test('a 512×512 slice goes through all six stages, each keeping size and range', () => {
  const big = imageFrom(512, 512, (x, y) => Math.min(1, Math.max(0, (Math.hypot(x - 256, y - 256) < 180 ? 0.6 : 0.1) + 0.03 * noise())));
  const steps = runStages(big, ALL);
  assert.equal(steps.length, 6);
  for (const step of steps) {
    assert.equal(step.image.width, 512);
    assert.equal(step.image.height, 512);
    assert.ok(
      step.image.data.every((v) => v >= 0 && v <= 1),
      `${step.name} stays in [0,1]`,
    );
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelComponents, largestComponent } from '../../../src/core/preprocess/components';
import { createMask } from '../../../src/core/preprocess/mask';
import { maskFromRows, reference, referenceMask, rowsFromMask } from './reference';

for (const { mask, connectivity, count, sizes, largest } of reference.label) {
  test(`${connectivity}-connected labelling matches scipy ndimage.label on ${mask}`, () => {
    const components = labelComponents(referenceMask(mask), connectivity);
    assert.equal(components.count, count);
    assert.deepEqual(Array.from(components.sizes.subarray(1)), sizes);
    assert.deepEqual(rowsFromMask(largestComponent(referenceMask(mask), connectivity)), largest);
  });
}

test('largest component picks the bigger blob', () => {
  const blobs = maskFromRows(['110000000', '110001110', '000001110', '000001110', '100000000']);
  assert.deepEqual(rowsFromMask(largestComponent(blobs)), ['000000000', '000001110', '000001110', '000001110', '000000000']);
});

test('diagonal neighbours join under 8-connectivity only', () => {
  const diagonal = maskFromRows(['100', '010', '001']);
  assert.equal(labelComponents(diagonal, 4).count, 3);
  assert.equal(labelComponents(diagonal, 8).count, 1);
});

test('an empty mask has no components and an empty largest component', () => {
  const empty = createMask(5, 4);
  assert.equal(labelComponents(empty).count, 0);
  assert.ok(largestComponent(empty).data.every((v) => v === 0));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { close, dilate, erode, fillHoles, open } from '../../../src/core/preprocess/morphology';
import { maskFromRows, reference, referenceMask, rowsFromMask } from './reference';

const operations = { erode, dilate, open, close };
const skimageNames = { erode: 'erosion', dilate: 'dilation', open: 'opening', close: 'closing' };

for (const { mask, op, radius, output } of reference.morphology) {
  test(`${op} with disk(${radius}) matches skimage binary_${skimageNames[op]} on ${mask}`, () => {
    assert.deepEqual(rowsFromMask(operations[op](referenceMask(mask), radius)), output);
  });
}

for (const { mask, output } of reference.fillHoles) {
  test(`fillHoles matches scipy binary_fill_holes on ${mask}`, () => {
    assert.deepEqual(rowsFromMask(fillHoles(referenceMask(mask))), output);
  });
}

test('hole filling fills an enclosed hole but not a notch open to the outside', () => {
  const ring = maskFromRows(['0000000000000', '0111110111110', '0100010100000', '0100010100000', '0111110111110', '0000000000000']);
  assert.deepEqual(rowsFromMask(fillHoles(ring)), ['0000000000000', '0111110111110', '0111110100000', '0111110100000', '0111110111110', '0000000000000']);
});

test('dilating one pixel by radius 2 stamps the disk x² + y² ≤ 4', () => {
  const dot = maskFromRows(['0000000', '0000000', '0000000', '0001000', '0000000', '0000000', '0000000']);
  assert.deepEqual(rowsFromMask(dilate(dot, 2)), ['0000000', '0001000', '0011100', '0111110', '0011100', '0001000', '0000000']);
  assert.deepEqual(rowsFromMask(erode(dilate(dot, 2), 2)), rowsFromMask(dot));
});

test('opening cuts a bridge thinner than the disk; radius 0 changes nothing', () => {
  const dumbbell = maskFromRows(['1111100000011111', '1111100000011111', '1111111111111111', '1111100000011111', '1111100000011111']);
  const opened = rowsFromMask(open(dumbbell, 1));
  assert.equal(opened[2]!.slice(6, 10), '0000');
  assert.deepEqual([opened[0], opened[4]], ['1111100000011111', '1111100000011111']);
  assert.deepEqual(rowsFromMask(erode(dumbbell, 0)), rowsFromMask(dumbbell));
  assert.throws(() => erode(dumbbell, 1.5), /erode: radius/);
});

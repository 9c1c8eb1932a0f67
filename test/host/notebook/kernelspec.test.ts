import assert from 'node:assert/strict';
import { test } from 'node:test';
import { namesScanLensKernel, SCANLENS_KERNELSPEC } from '../../../src/host/notebook/kernelspec';
import { KERNELSPEC } from '../../../src/notebook/ipynb/writeNotebook';

test('the kernelspec new notebooks get is the one scanlens run writes', () => {
  assert.deepEqual({ ...SCANLENS_KERNELSPEC }, { ...KERNELSPEC });
});

test('the scanlens kernelspec is found wherever the ipynb serializer keeps the Jupyter metadata', () => {
  const kernelspec = { name: 'scanlens', display_name: 'ScanLens' };
  assert.ok(namesScanLensKernel({ kernelspec }));
  assert.ok(namesScanLensKernel({ metadata: { kernelspec } }));
  assert.ok(namesScanLensKernel({ custom: { metadata: { kernelspec } } }));
});

test('other kernels and odd metadata are not ours', () => {
  assert.equal(namesScanLensKernel({ metadata: { kernelspec: { name: 'python3' } } }), false);
  assert.equal(namesScanLensKernel({}), false);
  assert.equal(namesScanLensKernel({ metadata: null, kernelspec: 'scanlens', custom: 3 }), false);
  assert.equal(namesScanLensKernel({ metadata: { language_info: { name: 'scanlens' } } }), false);
});

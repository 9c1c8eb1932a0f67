import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { writeScanNifti } from '../../../src/core/scan/niftiWriter';
import type { InputSpec } from '../../../src/core/model/manifest';
import { decodeModel, encodeModel } from '../../../src/core/onnx/modelProto';
import { prepareVolume } from '../../../src/core/preprocess/volume3d';
import { volumeGeometry } from '../../../src/core/preprocess/volume3dGeometry';
import { mapToScanGrid } from '../../../src/core/preprocess/volume3dInverse';
import { loadScan } from '../../../src/core/scan/loadScan';
import { voxelOf } from '../../helpers/voxelOf';
import { fixture } from '../../helpers/paths';

/**
 * A lesion at known world coordinates in a volume stored oblique, non-RAS and
 * anisotropic, and a 3D blob detector whose activation peaks on bright spots
 * (scripts/reference/make_3d_inverse_reference.py): the activation, taken
 * back to the scan's voxels, must peak within one voxel of the lesion.
 */
const folder = fixture('volume3d', 'alignment');
const input = (JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { input: InputSpec }).input;
const reference = JSON.parse(readFileSync(join(folder, 'lesion.json'), 'utf8')) as { world: [number, number, number]; pytorch: { activationPeak: [number, number, number] } };
const lesion = reference.world;
const work = mkdtempSync(join(tmpdir(), 'scanlens-alignment-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The model's Conv3d → ReLU activation on the tensor, as a graph output of its own (onnxruntime). */
async function activation(tensor: Float32Array): Promise<Float32Array> {
  const model = decodeModel(readFileSync(join(folder, 'model.onnx')));
  const relu = model.graph.node.find((node) => node.opType === 'Relu')!.output[0]!;
  model.graph.output.push({ name: relu });
  const session = await ort.InferenceSession.create(encodeModel(model));
  const result = await session.run({ volume: new ort.Tensor('float32', tensor, [1, 1, input.size.depth!, input.size.height, input.size.width]) });
  return result[relu]!.data as Float32Array;
}

function peak(data: ArrayLike<number>, dims: readonly [number, number, number]): number[] {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i]! > data[best]!) best = i;
  return [best % dims[0], Math.floor(best / dims[0]) % dims[1], Math.floor(best / (dims[0] * dims[1]))];
}

test('a lesion at known world coordinates in an oblique, non-RAS, anisotropic volume: the 3D model’s activation, back on the scan’s voxels and saved as NIfTI, peaks within one voxel of it', async () => {
  const scan = await loadScan(join(folder, 'volume.nii.gz'));
  const [depth, height, width] = scan.shape;
  const dims = [width, height, depth] as const;
  const map = await activation(prepareVolume(scan, input));
  // On the tensor grid (D slowest) it peaks where PyTorch's activation does on nibabel's and scipy's preprocessing.
  const [h, w] = [input.size.height, input.size.width];
  const top = peak(map, [w, h, input.size.depth!]);
  assert.deepEqual([top[2], top[1], top[0]], reference.pytorch.activationPeak);
  const back = mapToScanGrid({ depth: input.size.depth!, height: input.size.height, width: input.size.width, data: map }, volumeGeometry(scan, input));
  const expected = voxelOf(scan.affine!, lesion);
  const found = peak(back, dims);
  const off = found.map((v, a) => Math.abs(v - expected[a]!));
  assert.ok(Math.max(...off) <= 1, `peak at voxel (${found.join(', ')}), lesion at (${expected.map((v) => v.toFixed(2)).join(', ')})`);

  const out = join(work, 'map.nii.gz');
  await writeScanNifti(out, scan, back);
  const saved = await loadScan(out);
  assert.deepEqual(saved.affine, scan.affine);
  assert.deepEqual(peak(saved.voxels, dims), found);
});

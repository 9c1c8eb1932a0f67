import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { minMaxNormalise } from '../../../src/core/explain/upsample';
import { explainVolumeScan } from '../../../src/core/jobs/explainVolumeJob';
import { loadModel } from '../../../src/core/model/loadModel';
import { loadScan } from '../../../src/core/scan/loadScan';
import type { CamMethodName } from '../../../src/core/vocabulary/camMethods';
import { fixture } from '../../helpers/paths';

/** One layer and class of scripts/reference/cam3d_reference.py: each method's map (keyed 'method' or 'method eigen_smooth') at the layer's D×H×W (base64 float32), and for the top class Grad-CAM on the tensor grid (base64 uint16 × 65535). */
interface Case {
  readonly layer: string;
  readonly class: number;
  readonly shape: [number, number, number];
  readonly cam: Record<string, string>;
  readonly grid?: { readonly method: CamMethodName; readonly shape: [number, number, number]; readonly u16: string };
}

const TOLERANCE = 1e-3;
const reference = JSON.parse(readFileSync(fixture('volume3d', 'cam3d-reference.json'), 'utf8')) as { logits: number[]; cases: Case[] };
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-cam3d-'));
after(releaseExplainSessions);

function float32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function unit16(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return Float32Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16LE(2 * i) / 65535);
}

/** Max |difference| of the min-max normalised maps. */
function worstDifference(ours: Float32Array, theirs: Float32Array): number {
  assert.equal(ours.length, theirs.length);
  const a = minMaxNormalise(ours);
  const b = minMaxNormalise(theirs);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

test(`3D maps of every enabled method (and eigen_smooth), at the last block and an earlier one, for the top and another class, match PyTorch autograd to ${TOLERANCE}; Grad-CAM on the tensor grid is trilinear (align_corners=False)`, async (t) => {
  const model = await loadModel(fixture('volume3d', 'model.json'), { threads: 1 });
  try {
    const scan = await loadScan(fixture('volume3d', 'volume.nii.gz'));
    const failures: string[] = [];
    const worstBy = new Map<string, number>();
    for (const c of reference.cases) {
      for (const [name, expected] of Object.entries(c.cam)) {
        const [method, smooth] = name.split(' ') as [CamMethodName, string | undefined];
        const result = await explainVolumeScan(model, scan, { method, eigenSmooth: smooth === 'eigen_smooth', classIndex: c.class, layer: c.layer, cacheDir, threads: 1 });
        const { map } = result.explanation;
        assert.deepEqual([map.depth, map.height, map.width], c.shape, `${name} at ${c.layer}`);
        assert.deepEqual([result.grid.depth, result.grid.height, result.grid.width], [16, 24, 32]);
        const worst = worstDifference(map.data, float32(expected));
        const key = `${name} ${c.layer}`;
        worstBy.set(key, Math.max(worstBy.get(key) ?? 0, worst));
        if (!(worst <= TOLERANCE)) failures.push(`${name} at ${c.layer}, class ${c.class}: largest difference ${worst.toFixed(5)}`);
        if (c.grid?.method === name) {
          const onGrid = worstDifference(result.grid.data, unit16(c.grid.u16));
          worstBy.set(`${method} ${c.layer} tensor grid`, onGrid);
          if (!(onGrid <= TOLERANCE)) failures.push(`${method} at ${c.layer} on the tensor grid: largest difference ${onGrid.toFixed(5)}`);
        }
      }
    }
    t.diagnostic(`largest differences: ${[...worstBy].map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
    assert.deepEqual(failures, []);
  } finally {
    await model.session.release();
  }
});

test("a 3D model's target layer must be a 5-D feature map: another tensor is refused in one line naming its shape", async () => {
  const model = await loadModel(fixture('volume3d', 'model.json'), { threads: 1 });
  try {
    const scan = await loadScan(fixture('volume3d', 'volume.nii.gz'));
    await assert.rejects(
      explainVolumeScan(model, scan, { method: 'gradcam', layer: '/Flatten_output_0', cacheDir, threads: 1 }),
      /^ScanLensError: tensor '\/Flatten_output_0' has shape \[1, 16\]; a 3D model is explained at a \[1,C,D,H,W\] feature map$/,
    );
  } finally {
    await model.session.release();
  }
});

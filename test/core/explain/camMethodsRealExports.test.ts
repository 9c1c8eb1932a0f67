import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { minMaxNormalise } from '../../../src/core/explain/upsample';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import type { CamMethodName } from '../../../src/core/vocabulary/camMethods';
import { ROOT } from '../../helpers/paths';

/**
 * Every gradient method (with and without eigen_smooth), EigenCAM and FullGrad on reduced torchvision exports (ViT, Swin,
 * ConvNeXt, EfficientNet, DenseNet, ResNet-50, MobileNetV3, RegNet, a ResNet
 * and a ViT wrapped with a Softmax; opset 17, dynamic batch) against
 * scripts/reference/cam_reference_real.py, pytorch-grad-cam's definitions in
 * PyTorch autograd: at the standard target layer (ScanLens' automatic choice)
 * and an earlier one (Swin: the standard only), two classes each, within 1e-3
 * of the min-max normalised maps (a map that is 0 in exact arithmetic, HiResCAM
 * before a channel LayerNorm, must be as near 0 as the reference instead). The exports go to .cache/cam-real-exports
 * (not committed), made when missing or when a script changed.
 */

interface Case {
  readonly model: string;
  readonly input: string;
  readonly layer: string | null;
  readonly module: string;
  readonly class: number;
  readonly method: CamMethodName;
  readonly eigenSmooth?: boolean;
  readonly width: number;
  readonly height: number;
  readonly data: number[];
  /** Set when the map is rounding noise (0 in exact arithmetic): the largest Σ_c |term| per position. */
  readonly noise?: number;
}

const PYTHON = '/usr/bin/python3';
const SCRIPTS = ['cam_reference.py', 'cam_reference_real.py', 'make_real_exports.py'].map((f) => join(ROOT, 'scripts', 'reference', f));
const DIR = join(ROOT, '.cache', 'cam-real-exports');
/** SCANLENS_REAL_FULL=1 adds torchvision's full-size ViT-B/16 (a 330 MB export; minutes). */
const FULL = process.env['SCANLENS_REAL_FULL'] === '1';

function loadReference(): { models: Record<string, string>; cases: Case[] } | string {
  const file = join(DIR, 'cam-methods.json');
  const digest = createHash('sha256');
  for (const script of SCRIPTS) digest.update(readFileSync(script));
  const sha = digest.digest('hex');
  const current = (): ({ scripts_sha256: string } & ReturnType<typeof JSON.parse>) | undefined => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
  if (current()?.scripts_sha256 === sha && (current().full === true || !FULL)) return current();
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import torch, torchvision and onnx, which make the exports`;
  const made = spawnSync(PYTHON, [SCRIPTS[1]!, DIR, ...(FULL ? ['--full'] : [])], { encoding: 'utf8', timeout: 1_800_000 });
  if (made.status !== 0) throw new Error(`${SCRIPTS[1]} failed: ${made.stderr}`);
  return current();
}

const TOLERANCE = 1e-3;
const reference = loadReference();
const skip = typeof reference === 'string' ? reference : false;
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-cam-real-'));
after(releaseExplainSessions);

test('the torchvision exports for the CAM reference are made (or PyTorch is missing)', { skip }, () => {
  assert.ok(typeof reference !== 'string' && Object.keys(reference.models).length >= 10);
});

for (const [name, file] of Object.entries(typeof reference === 'string' ? {} : reference.models)) {
  const mine = (reference as Exclude<typeof reference, string>).cases.filter((c) => c.model === name);
  test(`every gradient method, EigenCAM and FullGrad on torchvision ${name} matches pytorch-grad-cam's definitions to ${TOLERANCE} (${mine.length} maps)`, async (t) => {
    const model = await loadModel(join(DIR, file), { threads: 1 });
    try {
      const { data: input } = await prepareInput(await loadScan(join(DIR, mine[0]!.input)), model.manifest);
      const failures: string[] = [];
      const worstBy = new Map<string, number>();
      const noise: string[] = [];
      for (const c of mine) {
        const result = await explainInput(model, input, { method: c.method, classIndex: c.class, layer: c.layer ?? undefined, eigenSmooth: c.eigenSmooth, cacheDir, threads: 1 });
        if (c.layer === null) assert.equal(result.layer?.source, 'automatic');
        const key = `${c.method}${c.eigenSmooth ? ' eigen_smooth' : ''}`;
        const what = `${key} at ${c.module}, class ${c.class}`;
        assert.deepEqual([result.map.height, result.map.width], [c.height, c.width], what);
        if (c.noise !== undefined) {
          // 0 in exact arithmetic (see NOISE in the script): ours must be as small, its shape is noise.
          const largest = Math.max(...result.map.data);
          if (!(largest <= 1e-4 * c.noise)) failures.push(`${what}: ${largest} where the reference is rounding noise below ${1e-4 * c.noise}`);
          noise.push(what);
          continue;
        }
        const ours = minMaxNormalise(result.map.data);
        const theirs = minMaxNormalise(Float32Array.from(c.data));
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
        worstBy.set(key, Math.max(worstBy.get(key) ?? 0, worst));
        if (!(worst <= TOLERANCE)) failures.push(`${what}: largest difference ${worst.toFixed(5)}`);
      }
      t.diagnostic(
        `largest differences: ${[...worstBy].map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}${noise.length ? `; rounding noise in both (0 in exact arithmetic): ${noise.join(', ')}` : ''}`,
      );
      assert.deepEqual(failures, []);
    } finally {
      await model.session.release();
    }
  });
}

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput, type Explanation } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { minMaxNormalise } from '../../../src/core/explain/upsample';
import { loadModel, type LoadedModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import type { CamMethodName } from '../../../src/core/vocabulary/camMethods';
import { fixture } from '../../helpers/paths';

/** One map of scripts/reference/cam_reference.py (pytorch-grad-cam's definitions in PyTorch autograd). */
interface Case {
  readonly model: string;
  readonly layer: string;
  readonly module: string;
  readonly standard: boolean;
  readonly class: number;
  readonly method: CamMethodName;
  readonly eigenSmooth: boolean;
  readonly augSmooth: boolean;
  readonly width: number;
  readonly height: number;
  readonly data?: number[];
  /** augSmooth maps: base64 little-endian uint16, value × 65535. */
  readonly u16?: string;
}

interface Reference {
  readonly input: string;
  readonly models: Record<string, string>;
  readonly cases: Case[];
}

const TOLERANCE = 1e-3;
const reference = JSON.parse(readFileSync(fixture('explain', 'cam-methods.json'), 'utf8')) as Reference;
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-cam-methods-'));
after(releaseExplainSessions);

function expectedMap(c: Case): Float32Array {
  if (c.data) return Float32Array.from(c.data);
  const bytes = Buffer.from(c.u16!, 'base64');
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt16LE(2 * i) / 65535;
  return out;
}

/** Max |difference| of the min-max normalised maps. */
function worstDifference(ours: Float32Array, theirs: Float32Array): number {
  const a = minMaxNormalise(ours);
  const b = minMaxNormalise(theirs);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const describeCase = (c: Case): string =>
  `${c.method}${c.eigenSmooth ? ' eigen_smooth' : ''}${c.augSmooth ? ' aug_smooth' : ''} on ${c.model} at ${c.module}${c.standard ? ' (standard layer)' : ''}, class ${c.class}`;

async function explainCase(model: LoadedModel, input: Float32Array, c: Case): Promise<Explanation> {
  return explainInput(model, input, { method: c.method, classIndex: c.class, layer: c.layer, eigenSmooth: c.eigenSmooth, augSmooth: c.augSmooth, cacheDir, threads: 1 });
}

for (const [name, file] of Object.entries(reference.models)) {
  const cases = reference.cases.filter((c) => c.model === name);
  test(`every CAM method on the ${name} export matches the PyTorch reference of pytorch-grad-cam's definitions to ${TOLERANCE} (${cases.length} maps)`, async (t) => {
    const model = await loadModel(fixture('explain', file), { threads: 1 });
    try {
      const { data: input } = await prepareInput(await loadScan(fixture('explain', reference.input)), model.manifest);
      const failures: string[] = [];
      const worstBy = new Map<string, number>();
      for (const c of cases) {
        const result = await explainCase(model, input, c);
        assert.deepEqual([result.map.height, result.map.width], [c.height, c.width], describeCase(c));
        const worst = worstDifference(result.map.data, expectedMap(c));
        const key = `${c.method}${c.eigenSmooth ? ' eigen_smooth' : ''}${c.augSmooth ? ' aug_smooth' : ''}`;
        worstBy.set(key, Math.max(worstBy.get(key) ?? 0, worst));
        if (!(worst <= TOLERANCE)) failures.push(`${describeCase(c)}: largest difference ${worst.toFixed(5)}`);
      }
      t.diagnostic(`largest differences: ${[...worstBy].map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
      assert.deepEqual(failures, []);
    } finally {
      await model.session.release();
    }
  });
}

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { loadDetector } from '../../../src/core/anomaly/detectorFile';
import { fitDetector, pickChannels, splitNormals } from '../../../src/core/anomaly/fitDetector';
import { releaseFeatureSessions } from '../../../src/core/anomaly/features/featureSession';
import { openDetector } from '../../../src/core/anomaly/openDetector';
import { getModel, releaseModels } from '../../../src/core/model/modelCache';
import { ROOT } from '../../helpers/paths';

const work = mkdtempSync(join(tmpdir(), 'scanlens-detector-'));
const normals = join(ROOT, 'samples', 'anomaly', 'normal');
const files = readdirSync(normals)
  .map((f) => join(normals, f))
  .slice(0, 10);
const backbonePath = join(ROOT, 'models', 'brain-mri-demo', 'model.json');

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

async function fitted(method: 'padim' | 'patchcore', out: string, extra: string[] = []) {
  const backbone = await getModel(backbonePath, { threads: 2 });
  return fitDetector([...files, ...extra], { method, backbone, out, channels: 8, seed: 3, percentile: 90, threads: 2, bankSize: 64, cacheDir: join(work, 'cache') });
}

test('split and channel choice are deterministic', () => {
  assert.deepEqual(splitNormals(['a', 'b', 'c', 'd', 'e', 'f']), { fit: ['a', 'b', 'c', 'd', 'f'], calibrate: ['e'] });
  assert.throws(() => splitNormals(['a', 'b']), /at least 5 normal scans/);
  const picked = pickChannels(100, 10, 5);
  assert.deepEqual(pickChannels(100, 10, 5), picked);
  assert.equal(new Set(picked).size, 10);
  assert.notDeepEqual(pickChannels(100, 10, 6), picked);
});

for (const method of ['padim', 'patchcore'] as const) {
  test(`${method}: a saved detector reloads to identical scores and its threshold`, async () => {
    const out = join(work, method);
    const broken = join(work, 'broken.png');
    writeFileSync(broken, 'not a png');
    const result = await fitted(method, out, [broken]);
    assert.equal(result.failed.length, 1);
    assert.match(result.failed[0]!.error, /broken\.png: /);
    assert.equal(result.manifest.training.images, 8);
    assert.equal(result.manifest.features.channels.length, 8);
    // The backbone travels inside the detector folder, so the folder can be moved or shared whole.
    assert.equal(result.manifest.backbone.path, 'backbone/model.json');
    assert.deepEqual(readFileSync(join(out, 'backbone', 'model.onnx')), readFileSync(join(dirname(backbonePath), 'model.onnx')));
    const detector = await openDetector(out, { threads: 2, cacheDir: join(work, 'cache') });
    // Calibration scores came from the in-memory detector; the reloaded one must give the same numbers.
    const calibration = [files[4]!, files[9]!];
    const again = await Promise.all(calibration.map(async (f) => (await detector.score(f)).score));
    assert.deepEqual(again, result.calibrationScores);
    const second = await openDetector(out, { threads: 2, cacheDir: join(work, 'cache') });
    const lesion = join(ROOT, 'samples', 'anomaly', 'lesion', 'glioma-01.png');
    assert.equal((await second.score(lesion)).score, (await detector.score(lesion)).score);
  });
}

test('a changed array or a bad manifest field is refused, naming the file', async () => {
  const out = join(work, 'padim');
  const manifestPath = join(out, 'detector.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  const meanFile = join(out, 'padim-mean.npy');
  const mean = readFileSync(meanFile);
  mean[mean.length - 1]! ^= 1;
  writeFileSync(meanFile, mean);
  await assert.rejects(loadDetector(out), /padim-mean\.npy: sha256 differs from detector\.json/);
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, schema: 'scanlens.detector/9' }));
  await assert.rejects(loadDetector(out), /detector\.json: detector manifest field 'schema'/);
  await assert.rejects(loadDetector(join(work, 'nothing')), /nothing: detector not found/);
});

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { FLAGGED_SAMPLE } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-anomaly-maps-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

// The lesion slice stretched to 200×160: a scan whose size is not the model's 128².
const stretched = join(work, 'stretched.png');
before(() => sharp(FLAGGED_SAMPLE).resize(200, 160, { fit: 'fill' }).greyscale().toFile(stretched));

const DEMO = 'models/brain-mri-demo-padim';
// The meningioma of FLAGGED_SAMPLE (128²): the bright disc at x 30…49, y 79…106.
const LESION = { x: [30, 50], y: [79, 107] } as const;

interface Rgb {
  readonly width: number;
  readonly height: number;
  at(x: number, y: number): [number, number, number];
}

async function readRgb(file: string): Promise<Rgb> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): [number, number, number] => {
    const i = (y * info.width + x) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  return { width: info.width, height: info.height, at };
}

/** Pixels over about 1.1× the threshold on jet (red with little blue, blended at 0.5): how many, and their centre. */
function hotRegion(image: Rgb): { count: number; cx: number; cy: number } {
  let [count, sx, sy] = [0, 0, 0];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, , b] = image.at(x, y);
      if (r - b >= 0.4 * 255) [count, sx, sy] = [count + 1, sx + x, sy + y];
    }
  }
  return { count, cx: sx / count, cy: sy / count };
}

/** The hot region is a patch, not the slice, centred on the lesion as it lies in an image of this size. */
function assertOnLesion(image: Rgb, what: string): void {
  const { count, cx, cy } = hotRegion(image);
  const [sx, sy] = [image.width / 128, image.height / 128];
  assert.ok(count > 0 && count < 0.1 * image.width * image.height, `${what}: a hot region, not the whole slice: ${count} pixels`);
  const inside = cx >= LESION.x[0] * sx && cx <= LESION.x[1] * sx && cy >= LESION.y[0] * sy && cy <= LESION.y[1] * sy;
  assert.ok(inside, `${what}: hot region centred at (${cx.toFixed(1)}, ${cy.toFixed(1)}), the lesion is at x ${LESION.x.map((v) => v * sx)}, y ${LESION.y.map((v) => v * sy)}`);
}

const isGrey = ([r, g, b]: [number, number, number]): boolean => r === g && g === b;

/** The demo backbone with another fit: the same .onnx, so the demo detector accepts it through --backbone. */
function demoBackboneWithFit(fit: 'contain' | 'cover'): string {
  const dir = join(work, `backbone-${fit}`);
  mkdirSync(dir);
  const demo = join(ROOT, 'models', 'brain-mri-demo');
  copyFileSync(join(demo, 'model.onnx'), join(dir, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as { input: Record<string, unknown> };
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, input: { ...manifest.input, fit } }));
  return join(dir, 'model.json');
}

/** Scores the files with --maps and returns each written map, in order. */
function scoreWithMaps(files: readonly string[], maps: string, extra: readonly string[] = []): string[] {
  const result = runCli(['anomaly', 'score', ...files, '--detector', DEMO, ...extra, '--maps', maps, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout).results as { map: string; label: string }[];
  for (const row of rows) assert.equal(row.label, 'anomalous');
  return rows.map((row) => row.map);
}

test("anomaly score --maps draws the map over the whole slice at the scan's size, hot on the lesion (fill)", async () => {
  const [same, other] = scoreWithMaps([FLAGGED_SAMPLE, stretched], join(work, 'fill'));
  const atModelSize = await readRgb(same!);
  assert.deepEqual([atModelSize.width, atModelSize.height], [128, 128]);
  assertOnLesion(atModelSize, '128² slice');
  const resized = await readRgb(other!);
  assert.deepEqual([resized.width, resized.height], [200, 160]);
  assertOnLesion(resized, '200×160 slice');
});

test('anomaly score --maps with a contain backbone: the letterboxed map is brought back over the whole slice, the lesion where a fill backbone puts it', async () => {
  const [map] = scoreWithMaps([stretched], join(work, 'contain'), ['--backbone', demoBackboneWithFit('contain')]);
  const [filled] = scoreWithMaps([stretched], join(work, 'contain-fill'));
  const image = await readRgb(map!);
  assert.deepEqual([image.width, image.height], [200, 160]);
  assertOnLesion(image, 'contain');
  // The model saw the slice shrunk and 13 rows down; undone, the lesion is within 2 px of where the stretched view puts it.
  const [got, want] = [hotRegion(image), hotRegion(await readRgb(filled!))];
  assert.ok(Math.abs(got.cx - want.cx) <= 2 && Math.abs(got.cy - want.cy) <= 2, `contain (${got.cx.toFixed(1)}, ${got.cy.toFixed(1)}), fill (${want.cx.toFixed(1)}, ${want.cy.toFixed(1)})`);
  // Every pixel of the slice was in the model's view, so every pixel is coloured (the base is grey, the blend is not).
  for (const [x, y] of [
    [0, 0],
    [199, 0],
    [0, 159],
    [199, 159],
    [100, 0],
    [100, 159],
  ] as const)
    assert.ok(!isGrey(image.at(x, y)), `(${x}, ${y}) coloured`);
});

test('anomaly score --maps with a cover backbone: the margins the model did not see show the slice itself, the rest is the map of what it saw', async () => {
  // 16 columns of grey 60 each side: cover crops exactly them, so the model sees the 128² sample untouched.
  const padded = join(work, 'padded.png');
  await sharp(FLAGGED_SAMPLE)
    .extend({ left: 16, right: 16, background: { r: 60, g: 60, b: 60 } })
    .greyscale()
    .toFile(padded);
  const cover = demoBackboneWithFit('cover');
  const [paddedMap, sampleMap] = scoreWithMaps([padded, FLAGGED_SAMPLE], join(work, 'cover'), ['--backbone', cover]);
  const image = await readRgb(paddedMap!);
  const sample = await readRgb(sampleMap!);
  assert.deepEqual([image.width, image.height], [160, 128]);
  for (let y = 0; y < 128; y++) {
    for (const x of [0, 15, 144, 159]) assert.deepEqual(image.at(x, y), [60, 60, 60], `unseen (${x}, ${y}) is the slice`);
    for (let x = 0; x < 128; x++) {
      const [got, want] = [image.at(x + 16, y), sample.at(x, y)];
      assert.ok(
        got.every((v, c) => Math.abs(v - want[c]!) <= 1),
        `seen (${x + 16}, ${y}) is the sample's map at (${x}, ${y}): ${got} vs ${want}`,
      );
    }
  }
  assertOnLesion(sample, 'cover, sample');
  const { cx, cy } = hotRegion(image);
  const centre = hotRegion(sample);
  assert.ok(Math.abs(cx - 16 - centre.cx) < 0.5 && Math.abs(cy - centre.cy) < 0.5, `hot region 16 px right of the sample's: (${cx}, ${cy}) vs (${centre.cx}, ${centre.cy})`);
});

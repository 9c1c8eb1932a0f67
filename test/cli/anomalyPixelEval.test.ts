import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ROOT } from '../helpers/paths';
import { writePng } from '../helpers/pngWriter';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-pixel-eval-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));
const DEMO = join(ROOT, 'models', 'brain-mri-demo-padim');
const SIZE = 128;
const [normal, lesion, masks, mirrored] = ['normal', 'lesion', 'masks', 'mirrored'].map((name) => join(work, name)) as [string, string, string, string];
const sample = (k: number): string => join(ROOT, 'samples', 'anomaly', 'normal', `normal-${String(k).padStart(2, '0')}.png`);
const grey = (samples: ArrayLike<number>, width = SIZE, height = SIZE): Buffer => writePng({ width, height, colourType: 0, bitDepth: 8, samples });

/**
 * Ten real ch2 slices, each with a bright textured blob painted off the midline
 * (its mask beside it, `<name>_mask.png`), and the same masks mirrored left to
 * right: lesions where the masks say, and masks where there is none.
 */
before(async () => {
  for (const folder of [normal, lesion, masks, mirrored]) mkdirSync(folder);
  for (let k = 1; k <= 10; k++) copyFileSync(sample(k), join(normal, `normal-${k}.png`));
  for (let k = 11; k <= 20; k++) {
    const pixels = await sharp(sample(k)).greyscale().raw().toBuffer();
    const mask = new Uint8Array(SIZE * SIZE);
    const [cx, cy, r] = [40 + ((k * 7) % 14), 45 + ((k * 11) % 30), 6 + (k % 4)];
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        mask[y * SIZE + x] = 255;
        pixels[y * SIZE + x] = 200 + ((x * 13 + y * 7) % 50);
      }
    }
    writeFileSync(join(lesion, `lesion-${k}.png`), grey(pixels));
    writeFileSync(join(masks, `lesion-${k}_mask.png`), grey(mask));
    const flipped = mask.map((_, i) => mask[Math.floor(i / SIZE) * SIZE + (SIZE - 1 - (i % SIZE))]!);
    writeFileSync(join(mirrored, `lesion-${k}.png`), grey(flipped));
  }
});

interface PixelDoc {
  pixel: {
    metrics: { images: number; pixels: number; anomalousPixels: number; regions: number; auroc: number; aupro: number; fprLimit: number };
    masked: number;
    unmasked: string[];
    failed: { file: string; error: string }[];
  };
}

const cliPixels = new Map<string, PixelDoc['pixel']>();

function evaluate(maskFolder: string): PixelDoc['pixel'] {
  const run = runCli(['anomaly', 'eval', normal, lesion, '--detector', DEMO, '--masks', maskFolder, '--json']);
  assert.equal(run.status, 0, run.stderr);
  const { pixel } = JSON.parse(run.stdout) as PixelDoc;
  cliPixels.set(maskFolder, pixel);
  return pixel;
}

test('anomaly eval --masks: pixel AUROC and AUPRO over the masked lesions and the normal scans; masks where the lesions are score far above masks where they are not', () => {
  const right = evaluate(masks);
  assert.equal(right.masked, 10);
  assert.deepEqual(right.unmasked, []);
  // 10 normal scans (all normal pixels) and 10 masked ones, every pixel of each 128² slice; one region per lesion.
  assert.equal(right.metrics.images, 20);
  assert.equal(right.metrics.pixels, 20 * SIZE * SIZE);
  assert.equal(right.metrics.regions, 10);
  assert.equal(right.metrics.fprLimit, 0.3);
  const wrong = evaluate(mirrored);
  console.log(`pixel AUROC ${right.metrics.auroc} (mirrored masks ${wrong.metrics.auroc}), AUPRO ${right.metrics.aupro} (mirrored ${wrong.metrics.aupro})`);
  assert.ok(right.metrics.auroc > 0.9, `pixel AUROC ${right.metrics.auroc}`);
  assert.ok(right.metrics.auroc - wrong.metrics.auroc > 0.2);
  assert.ok(right.metrics.aupro - wrong.metrics.aupro > 0.2);
});

test('anomaly eval --masks: a mask on another grid is an error line (exit 2), a lesion without a mask is left out and said so', () => {
  const partial = join(work, 'partial');
  mkdirSync(partial);
  for (let k = 13; k <= 20; k++) copyFileSync(join(masks, `lesion-${k}_mask.png`), join(partial, `lesion-${k}.png`));
  writeFileSync(join(partial, 'lesion-12.png'), grey(new Uint8Array(64 * 64), 64, 64));
  const run = runCli(['anomaly', 'eval', normal, lesion, '--detector', DEMO, '--masks', partial]);
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stderr.trim().split('\n').at(-1), `scanlens: ${join(partial, 'lesion-12.png')}: mask is 64×64, the slice scored is 128×128: a mask must be on its scan's grid`);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines.at(-3)!, /^pixels: 18 scans \(8 with a mask\), \d+ of 294912 pixels anomalous in 8 regions$/);
  assert.match(lines.at(-2)!, /^pixel AUROC 0\.\d{4} {2}AUPRO \(FPR ≤ 0\.3\) 0\.\d{4}$/);
  assert.equal(lines.at(-1), '1 anomalous scan(s) without a mask left out of the pixel metrics');
});

test('a notebook anomaly eval line with masks= reports the same pixel metrics as the command line, in its result and its text', () => {
  const path = join(work, 'pixel.ipynb');
  const cell = { cell_type: 'code', metadata: {}, source: `anomaly eval normal lesion detector=${DEMO} masks=masks`, outputs: [], execution_count: null };
  writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [cell] }));
  const run = runCli(['run', path, '--threads', '1']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const outputs = (JSON.parse(readFileSync(path, 'utf8')) as { cells: { outputs: { data?: Record<string, unknown> }[] }[] }).cells[0]!.outputs;
  const data = outputs[0]!.data!;
  const result = data['application/vnd.scanlens.result+json'] as { pixel: Record<string, unknown> };
  const cli = cliPixels.get(masks) ?? evaluate(masks);
  assert.deepEqual(result.pixel, { ...cli.metrics, masked: cli.masked, unmasked: [], failed: [] });
  assert.match(String(data['text/plain']), new RegExp(`pixel AUROC ${cli.metrics.auroc.toFixed(4)} {2}AUPRO \\(FPR ≤ 0\\.3\\) ${cli.metrics.aupro.toFixed(4)}`));
});

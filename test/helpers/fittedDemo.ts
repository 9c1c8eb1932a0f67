import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from './paths';

/** The demo classifier copied into a fresh folder under `dir`, its manifest's input.fit changed; returns the manifest's path. */
export function demoWithFit(dir: string, fit: 'contain' | 'cover'): string {
  const demo = join(ROOT, 'models', 'brain-mri-demo');
  const folder = mkdtempSync(join(dir, `${fit}-`));
  copyFileSync(join(demo, 'model.onnx'), join(folder, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as { input: Record<string, unknown> };
  writeFileSync(join(folder, 'model.json'), JSON.stringify({ ...manifest, input: { ...manifest.input, fit } }));
  return join(folder, 'model.json');
}

/** The grey value of wideSlice's added margins. */
const MARGIN_GREY = 100;

/**
 * A 192×128 8-bit grey slice written into `dir`: a 128² sample with 32
 * columns of mid-grey either side. A 128² cover model sees its columns
 * 32…159 (scale 1); a contain model sees all of it, letterboxed to 128×85.
 */
export async function wideSlice(dir: string): Promise<{ path: string; pixels: Buffer }> {
  const path = join(dir, 'wide.png');
  const grey = { r: MARGIN_GREY, g: MARGIN_GREY, b: MARGIN_GREY };
  await sharp(join(ROOT, 'samples', 'glioma-01.png'))
    .extend({ left: 32, right: 32, background: grey })
    .greyscale()
    .toFile(path);
  return { path, pixels: await sharp(path).greyscale().raw().toBuffer() };
}

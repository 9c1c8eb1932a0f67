/**
 * torchvision's full-size ViT-B/16 (224², seeded random weights, exported by
 * `scripts/reference/make_real_exports.py .cache/real-exports --full`): Grad-CAM
 * at its automatic layer (the last block's ln_1) against the plain onnxruntime
 * forward+backward of the same derived model, as single.ts measures every model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../src/core/model/loadModel';
import { singleImage } from './single';

export interface VitB16Stage {
  readonly stages_ms: Record<string, number>;
  readonly ratios: Record<string, number>;
}

export const vitB16Path = (root: string): string => join(root, '.cache', 'real-exports', 'vit-b16-opset17-dynamic.onnx');

export async function vitB16Stage(root: string, sample: string, threads: number, runs: number): Promise<VitB16Stage | { skipped: string }> {
  const path = vitB16Path(root);
  if (!existsSync(path)) return { skipped: `${path} not found: run /usr/bin/python3 scripts/reference/make_real_exports.py .cache/real-exports --full` };
  const model = await loadModel(path, { threads });
  try {
    const { stages_ms, ratios } = await singleImage(model, sample, threads, runs);
    return { stages_ms, ratios };
  } finally {
    await model.session.release();
  }
}

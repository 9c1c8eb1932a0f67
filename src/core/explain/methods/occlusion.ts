import { maskPixels } from '../tensorPixels';
import type { CamContext, CamMap, CamMethod } from './camMethod';
import { classScores } from './classScores';

/**
 * Occlusion sensitivity: a square patch of the input set to 0 (the dataset
 * mean after mean/std), an eighth of the input's shorter side, slides over a grid; the map holds the drop in the
 * class score at each grid cell, ReLU'd.
 */
async function occlusionMap({ model, input, classIndex, score: baseline }: CamContext): Promise<CamMap> {
  const spec = model.manifest.input;
  const { width, height } = spec.size;
  const size = Math.max(1, Math.round(Math.min(width, height) / 8));
  const cols = Math.ceil(width / size);
  const rows = Math.ceil(height / size);
  const inputs: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const mask = new Float32Array(width * height).fill(1);
      for (let y = r * size; y < Math.min(height, (r + 1) * size); y++) for (let x = c * size; x < Math.min(width, (c + 1) * size); x++) mask[y * width + x] = 0;
      inputs.push(maskPixels(input, spec, mask));
    }
  }
  const scores = await classScores(model, inputs, classIndex);
  return { width: cols, height: rows, data: Float32Array.from(scores, (s) => Math.max(0, baseline - s)) };
}

export const occlusion: CamMethod = { needs: 'input', map: occlusionMap };

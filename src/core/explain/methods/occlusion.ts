import type { CamContext, CamMap, CamMethod } from './camMethod';

/**
 * Occlusion sensitivity: a square patch of the input set to 0 (the dataset
 * mean after mean/std), an eighth of the input's shorter side, slides over a
 * grid; the map holds the drop in the class score at each grid cell, ReLU'd.
 * One occluded input per cell, through the model in batches.
 */
async function occlusionMap({ model, input, score: baseline, inputs }: CamContext): Promise<CamMap> {
  const spec = model.manifest.input;
  const { width, height } = spec.size;
  const size = Math.max(1, Math.round(Math.min(width, height) / 8));
  const cols = Math.ceil(width / size);
  const rows = Math.ceil(height / size);
  const pixels = width * height;
  const scores = await inputs.scores(rows * cols, (cell, into) => {
    into.set(input);
    const r = Math.floor(cell / cols);
    const c = cell % cols;
    for (let y = r * size; y < Math.min(height, (r + 1) * size); y++) {
      for (let x = c * size; x < Math.min(width, (c + 1) * size); x++) {
        const i = y * width + x;
        for (let ch = 0; ch < spec.channels; ch++) into[spec.layout === 'NCHW' ? ch * pixels + i : i * spec.channels + ch] = 0;
      }
    }
  });
  return { width: cols, height: rows, data: Float32Array.from(scores, (s) => Math.max(0, baseline - s)) };
}

export const occlusion: CamMethod = { needs: 'input', map: occlusionMap };

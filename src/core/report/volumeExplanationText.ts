import type { ExplainVolumeResult } from '../jobs/explainVolumeJob';

const triple = (v: readonly number[], digits = 0): string => `(${v.map((x) => x.toFixed(digits)).join(', ')})`;

/**
 * A 3D explanation as the CLI and a notebook cell print it: the method, class
 * and layer; every class's probability; the map's two grids and where its
 * peak lies (tensor grid, the scan's voxel, world mm). `smooth` names the
 * smoothing, `suffix` ends the first line (the file written).
 */
export function volumeExplanationLines(file: string, job: Pick<ExplainVolumeResult, 'explanation' | 'grid' | 'peak'>, labels: readonly string[], smooth = '', suffix = ''): string[] {
  const { explanation: result, grid, peak } = job;
  const label = labels[result.classIndex]!;
  const layer = result.layer ? `  layer ${result.layer.tensor} (${result.layer.source})` : '';
  const where = [
    `tensor (d, h, w) ${triple(peak.tensor)}`,
    peak.voxel ? `scan voxel (x, y, z) ${triple(peak.voxel)}` : 'outside the scan (padding)',
    ...(peak.world ? [`world ${triple(peak.world, 1)} mm RAS`] : []),
  ];
  return [
    `${file}  volume  ${result.method}${smooth}  ${label} ${result.probabilities[result.classIndex]!.toFixed(3)}${layer}${suffix}`,
    `  probabilities  ${labels.map((l, i) => `${l} ${result.probabilities[i]!.toFixed(3)}`).join('  ')}`,
    `  map ${result.map.depth}×${result.map.height}×${result.map.width} at the layer, ${grid.depth}×${grid.height}×${grid.width} on the tensor grid (D×H×W along R, A, S); peak at ${where.join(', ')}`,
  ];
}

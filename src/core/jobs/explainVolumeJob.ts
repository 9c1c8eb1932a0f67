import { ScanLensError } from '../errors';
import { explainInput, type Explanation, type ExplainOptions } from '../explain/explain';
import { resizeNormalised, type VolumeGrid } from '../explain/upsampleVolume';
import type { LoadedModel } from '../model/loadModel';
import { prepareVolume } from '../preprocess/volume3d';
import { volumeGeometry, type VolumeGeometry } from '../preprocess/volume3dGeometry';
import { DEFAULT_LIMITS, type DecodeLimits } from '../scan/limits';
import type { LoadOptions } from '../scan/loadScan';
import { loadChannelsAt } from './volumeChannels';
import type { Affine, Scan } from '../scan/scan';

export interface ExplainVolumeOptions extends ExplainOptions {
  readonly limits?: DecodeLimits;
  /** How the file is read (blocking read, which volume of a 4D NIfTI, privacy). */
  readonly load?: LoadOptions;
}

/** The map's largest voxel: on the tensor grid, and where it came from in the scan. */
export interface VolumePeak {
  /** [d, h, w] on the tensor grid (along R, A, S). */
  readonly tensor: readonly [number, number, number];
  /** The map's value there (1 unless the map is flat). */
  readonly value: number;
  /** The nearest stored voxel (x, y, z) of the scan; null when the peak lies in the padding around it. */
  readonly voxel: readonly [number, number, number] | null;
  /** The tensor voxel's centre in patient RAS mm; null when the scan records no orientation. */
  readonly world: readonly [number, number, number] | null;
}

export interface ExplainVolumeResult {
  /** The path the job read. */
  readonly file: string;
  /** The method's map at the target layer's D×H×W grid, after its ReLU. */
  readonly explanation: Explanation;
  /** The model's input as prepareVolume gives it: C channels of D×H×W along R, A, S (the first is the first sequence). */
  readonly tensor: Float32Array;
  /** The map on the model's tensor grid (D×H×W along R, A, S): trilinear from the layer's grid with half-pixel centres, min-max to [0,1]. */
  readonly grid: VolumeGrid;
  readonly peak: VolumePeak;
  /** Tensor voxel (d, h, w) → patient RAS mm, 4×4 row-major, as the scan's affine places it; absent when the scan records no orientation. */
  readonly tensorAffine?: Affine;
  /** Where prepareVolume put each stored voxel: what mapToScanGrid takes the map back to the scan with. */
  readonly geometry: VolumeGeometry;
  /** The scan read, the first sequence of a multi-sequence input (its affine and shape place a map written back onto its voxels). */
  readonly scan: Scan;
}

/**
 * Explains a whole volume (a NIfTI, a multi-frame DICOM or a DICOM series
 * folder) with a 3D model (NCDHW); a multi-sequence model's subject folder or
 * 4D NIfTI (loadChannelsAt) is explained on its first sequence's grid.
 */
export async function explainVolumeJob(model: LoadedModel, path: string, options: ExplainVolumeOptions): Promise<ExplainVolumeResult> {
  const { limits = DEFAULT_LIMITS, load = {} } = options;
  return explainVolumeScan(model, await loadChannelsAt(path, model.manifest.input, limits, load), options);
}

function argmax(data: Float32Array): number {
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i]! > data[best]!) best = i;
  return best;
}

/**
 * The tensor grid's own affine: tensor coordinate c along axis a is stored
 * voxel (c − start)/step along axes[a].voxel (volumeGeometry inverted), which
 * the scan's affine takes to the world.
 */
export function tensorAffine(geometry: VolumeGeometry, affine: Affine): Affine {
  const rows = [0, 1, 2].map((r) => {
    const row = affine[r]!;
    const columns = geometry.axes.map((axis) => row[axis.voxel]! / axis.step);
    const offset = geometry.axes.reduce((sum, axis) => sum - (row[axis.voxel]! * axis.start) / axis.step, row[3]!);
    return [...columns, offset];
  });
  return [...rows, [0, 0, 0, 1]];
}

/** The peak of a map on the tensor grid, with the stored voxel it came from (inverting volumeGeometry's c = start + step·x) and its world point. */
export function volumePeak(grid: VolumeGrid, geometry: VolumeGeometry, scan: Scan, at = argmax(grid.data)): VolumePeak {
  const tensor = [Math.floor(at / (grid.height * grid.width)), Math.floor(at / grid.width) % grid.height, at % grid.width] as const;
  const continuous = [0, 0, 0];
  geometry.axes.forEach((axis, a) => (continuous[axis.voxel] = (tensor[a]! - axis.start) / axis.step));
  // A stored voxel covers [x − ½, x + ½]; float rounding in start and step may leave its edge a hair beyond.
  const inside = continuous.every((c, v) => c >= -0.5 - 1e-6 && c <= geometry.scan[v]! - 0.5 + 1e-6);
  const rounded = continuous.map((c, v) => Math.min(geometry.scan[v]! - 1, Math.max(0, Math.round(c))));
  const affine = scan.affine;
  const world = affine
    ? ([0, 1, 2].map((r) => affine[r]![0]! * continuous[0]! + affine[r]![1]! * continuous[1]! + affine[r]![2]! * continuous[2]! + affine[r]![3]!) as [number, number, number])
    : null;
  return { tensor, value: grid.data[at]!, voxel: inside ? (rounded as [number, number, number]) : null, world };
}

/**
 * explainVolumeJob on a scan already read: the volume through prepareVolume
 * (the tensor classify gives the same probabilities for), the method's map at
 * the target layer, resized to the tensor grid and min-max normalised as 2D
 * maps are, and its peak placed in the scan.
 */
export async function explainVolumeScan(model: LoadedModel, scans: Scan | readonly Scan[], options: ExplainVolumeOptions): Promise<ExplainVolumeResult> {
  // A multi-sequence input lies on its first sequence's grid (prepareVolume): the map is placed there.
  const scan = 'voxels' in scans ? scans : scans[0]!;
  const { input } = model.manifest;
  if (input.layout !== 'NCDHW') throw new ScanLensError(`a 2D model (${input.layout}) explains slices; this explains volumes with a 3D model (NCDHW)`, model.manifestPath ?? model.onnxPath);
  const { limits: _limits, load: _load, ...explain } = options;
  const tensor = prepareVolume(scans, input);
  const explanation = await explainInput(model, tensor, explain);
  const { map } = explanation;
  const size = { depth: input.size.depth!, height: input.size.height, width: input.size.width };
  const { grid, peak: at } = resizeNormalised({ depth: map.depth ?? 1, height: map.height, width: map.width, data: map.data }, size);
  const geometry = volumeGeometry(scan, input);
  const affine = scan.affine ? { tensorAffine: tensorAffine(geometry, scan.affine) } : {};
  return { file: scan.path, explanation, tensor, grid, peak: volumePeak(grid, geometry, scan, at), ...affine, geometry, scan };
}

import { ScanLensError } from '../errors';
import { DEFAULT_LIMITS, type DecodeLimits } from '../scan/limits';
import { loadScan, type LoadOptions } from '../scan/loadScan';
import { chooseSlice, cutSlice, isVolume, sliceCount, type SliceChoice } from '../scan/sliceChoice';

/**
 * A mask for the scorecard's pointing game and relevance mass, on the
 * explained slice's grid: a 2D image (PNG, …) of the slice's size, or a
 * volume (NIfTI) on the scan's grid, cut at the same axis and index. Any
 * non-zero value is inside.
 */
export async function readSliceMask(path: string, slice: SliceChoice, size: { width: number; height: number }, limits: DecodeLimits = DEFAULT_LIMITS, load: LoadOptions = {}): Promise<Uint8Array> {
  const scan = await loadScan(path, limits, load);
  let cut = scan;
  if (isVolume(scan)) {
    if (slice.axis === null) throw new ScanLensError('is a volume, but the explained scan is a single 2D image: give a 2D mask of its size', path);
    const count = sliceCount(scan, slice.axis);
    if (count !== slice.count) throw new ScanLensError(`has ${count} ${slice.axis} slices, the scan ${slice.count}: the mask must be on the scan's grid`, path);
    cut = cutSlice(scan, chooseSlice(scan, { axis: slice.axis, slice: slice.index }));
  }
  const [, height, width] = cut.shape;
  if (width !== size.width || height !== size.height) throw new ScanLensError(`is ${width}×${height}, the explained slice ${size.width}×${size.height}: the mask must be on the scan's grid`, path);
  const inside = new Uint8Array(width * height);
  for (let i = 0; i < inside.length; i++) for (let c = 0; c < cut.channels; c++) if (cut.voxels[i * cut.channels + c] !== 0) inside[i] = 1;
  if (!inside.includes(1)) throw new ScanLensError('has no non-zero pixel on the explained slice: nothing to point at', path);
  return inside;
}

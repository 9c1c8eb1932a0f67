import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ScanLensError } from '../errors';
import { DEFAULT_LIMITS } from '../scan/limits';
import { listScans } from '../scan/listScans';
import { loadScan } from '../scan/loadScan';
import { chooseSlice, cutSlice, type SliceChoice } from '../scan/sliceChoice';

/** A file name without its extension (`.nii.gz` counted as one) and without a `_mask`/`-mask` suffix. */
function maskKey(file: string): string {
  const name = basename(file);
  const stem = /\.nii\.gz$/i.test(name) ? name.slice(0, -'.nii.gz'.length) : basename(name, extname(name));
  return stem.replace(/[-_]mask$/i, '');
}

/** Ground-truth masks in a folder, found by the name of the scan they belong to. */
export interface MaskFolder {
  /** The scan's mask: same name, any extension, optionally `_mask`/`-mask` (`lesion-03.png` ↔ `lesion-03.nii.gz` or `lesion-03_mask.png`); undefined if none. */
  maskFor(scan: string): string | undefined;
}

/** The masks in a folder and below it (scans by extension or content; links are not followed, so every mask lies inside it). */
export async function openMaskFolder(folder: string): Promise<MaskFolder> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new ScanLensError('masks folder not found', folder);
  const byKey = new Map<string, string[]>();
  for (const file of (await listScans(folder)).files) {
    const key = maskKey(file);
    byKey.set(key, [...(byKey.get(key) ?? []), file]);
  }
  return {
    maskFor(scan) {
      const found = byKey.get(maskKey(scan));
      if (found && found.length > 1) throw new ScanLensError(`more than one mask in ${folder} matches it (${found.map((f) => basename(f)).join(', ')})`, scan);
      return found?.[0];
    },
  };
}

/**
 * The mask's slice as the scan's slice was cut (same axis and index, the same
 * rule), as 0/1 per pixel (any channel ≠ 0 is anomalous). It must be on the
 * scan's grid: the same slice count and the slice's width × height.
 */
export async function maskSlice(file: string, slice: SliceChoice, size: { width: number; height: number }): Promise<Uint8Array> {
  const mask = await loadScan(file, DEFAULT_LIMITS);
  const along = chooseSlice(mask, { axis: slice.axis ?? undefined });
  const count = (choice: SliceChoice): string => (choice.axis === null ? 'one slice' : `${choice.count} ${choice.axis} slices`);
  if (along.count !== slice.count) throw new ScanLensError(`mask has ${count(along)}, the scan ${count(slice)}: a mask must be on its scan's grid`, file);
  const plane = cutSlice(mask, { ...along, index: slice.index });
  const [, height, width] = plane.shape;
  if (width !== size.width || height !== size.height) throw new ScanLensError(`mask is ${width}×${height}, the slice scored is ${size.width}×${size.height}: a mask must be on its scan's grid`, file);
  const out = new Uint8Array(width * height);
  const channels = plane.channels;
  for (let i = 0; i < out.length; i++) {
    for (let c = 0; c < channels; c++) if (plane.voxels[i * channels + c] !== 0) out[i] = 1;
  }
  return out;
}

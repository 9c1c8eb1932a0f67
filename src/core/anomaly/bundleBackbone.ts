import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { isInside, realPathOf } from '../io/containment';
import type { LoadedModel } from '../model/loadModel';

/** Hard-linked where the file system allows (no second copy on disk), else copied. */
async function place(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rm(to, { force: true });
  await link(from, to).catch(() => copyFile(from, to));
}

/**
 * A detector folder holds its backbone (manifest and ONNX, or the bare ONNX)
 * under `backbone/`, so it can be moved or shared whole and a detector file
 * never makes ScanLens read outside its folder. Returns the path to record,
 * relative to the detector folder.
 */
export async function bundleBackbone(backbone: LoadedModel, out: string): Promise<string> {
  const entry = backbone.manifestPath ?? backbone.onnxPath;
  if (isInside(await realPathOf(out), await realPathOf(entry))) return relative(out, entry);
  const folder = join(out, 'backbone');
  if (!backbone.manifestPath) {
    await place(backbone.onnxPath, join(folder, basename(backbone.onnxPath)));
    return relative(out, join(folder, basename(backbone.onnxPath)));
  }
  // The manifest's ONNX lies in its folder (checked at load), so the same relative path works in the copy.
  await place(backbone.onnxPath, join(folder, relative(dirname(backbone.manifestPath), backbone.onnxPath)));
  await place(backbone.manifestPath, join(folder, basename(backbone.manifestPath)));
  return relative(out, join(folder, basename(backbone.manifestPath)));
}

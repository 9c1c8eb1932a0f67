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

/** Where a detector folder records its backbone, and the files bundleBackbone places to get it there. */
export interface BackbonePlacement {
  /** The path to record, relative to the detector folder. */
  readonly record: string;
  /** Files to place inside the detector folder (none when the backbone already lies inside it). */
  readonly copies: readonly { readonly from: string; readonly to: string }[];
}

/** What bundleBackbone will do, without doing it: a caller that checks every path it writes (a notebook) asks first. */
export async function backbonePlacement(backbone: LoadedModel, out: string): Promise<BackbonePlacement> {
  const entry = backbone.manifestPath ?? backbone.onnxPath;
  if (isInside(await realPathOf(out), await realPathOf(entry))) return { record: relative(out, entry), copies: [] };
  const folder = join(out, 'backbone');
  if (!backbone.manifestPath) {
    const to = join(folder, basename(backbone.onnxPath));
    return { record: relative(out, to), copies: [{ from: backbone.onnxPath, to }] };
  }
  // The manifest's ONNX lies in its folder (checked at load), so the same relative path works in the copy.
  const manifest = join(folder, basename(backbone.manifestPath));
  return {
    record: relative(out, manifest),
    copies: [
      { from: backbone.onnxPath, to: join(folder, relative(dirname(backbone.manifestPath), backbone.onnxPath)) },
      { from: backbone.manifestPath, to: manifest },
    ],
  };
}

/**
 * A detector folder holds its backbone (manifest and ONNX, or the bare ONNX)
 * under `backbone/`, so it can be moved or shared whole and a detector file
 * never makes ScanLens read outside its folder. Returns the path to record,
 * relative to the detector folder.
 */
export async function bundleBackbone(backbone: LoadedModel, out: string): Promise<string> {
  const { record, copies } = await backbonePlacement(backbone, out);
  for (const { from, to } of copies) await place(from, to);
  return record;
}

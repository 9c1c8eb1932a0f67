import * as vscode from 'vscode';
import { loadScan } from '../../core/scan/loadScan';
import { DEFAULT_LIMITS } from '../../core/scan/limits';
import { reslicedGeometry, reslicedSlice, resliceScan } from '../../core/scan/reslice';
import { sliceImage, sliceOf, type Scan, type VoxelArray } from '../../core/scan/scan';
import { isVolume } from '../../core/scan/sliceChoice';
import { AXES, type Axis, type AxisInfo, type ScanInfo, type SliceWire } from '../../protocol/viewerMessages';
import { orientationLabels } from './orientationLabels';

/**
 * One opened scan, decoded once in the extension host. The webview never
 * receives the volume: it asks for one slice at a time. Each axis is
 * resliced when inference first needs it and kept, so later slices along it are a copy of one plane.
 */
export class ViewerDocument implements vscode.CustomDocument {
  private readonly resliced = new Map<Axis, Scan>();

  private constructor(
    readonly uri: vscode.Uri,
    readonly scan: Scan,
  ) {}

  static async open(uri: vscode.Uri): Promise<ViewerDocument> {
    return new ViewerDocument(uri, await loadScan(uri.fsPath, DEFAULT_LIMITS));
  }

  /** As every surface decides it (sliceChoice): a NIfTI, even of one slice, is shown in display orientation. */
  get isVolume(): boolean {
    return isVolume(this.scan);
  }

  /** The scan cut along `axis`; single images have only the axial plane. */
  along(axis: Axis): Scan {
    if (!this.isVolume) return this.scan;
    let scan = this.resliced.get(axis);
    if (!scan) {
      scan = resliceScan(this.scan, axis);
      this.resliced.set(axis, scan);
    }
    return scan;
  }

  /** From the geometry alone: describing all three axes must not cut two whole volumes before the first paint. */
  axisInfo(axis: Axis): AxisInfo {
    const { shape, spacing, affine } = this.isVolume ? reslicedGeometry(this.scan, axis) : this.scan;
    const [depth, height, width] = shape;
    return { depth, width, height, pixelSpacing: spacing ? [spacing[2], spacing[1]] : [1, 1], labels: orientationLabels(affine) };
  }

  info(fileName: string): Omit<ScanInfo, 'model' | 'modelError'> {
    const { scan } = this;
    // DICOM lists the file's window among its presets too: show it once.
    const presets = (scan.windowPresets ?? []).filter((w) => w.center !== scan.window.center || w.width !== scan.window.width);
    const windows = [scan.window, ...presets].map((w) => ({ center: w.center, width: w.width, ...(w.name ? { name: w.name } : {}) }));
    const axes = Object.fromEntries(AXES.map((axis) => [axis, this.axisInfo(axis)])) as ScanInfo['axes'];
    return {
      fileName,
      format: scan.format,
      channels: scan.channels,
      windows,
      valueRange: { ...scan.valueRange },
      preferSliceRange: scan.bitsPerSample > 8 && scan.window.center === (scan.valueRange.min + scan.valueRange.max) / 2 && scan.window.width === scan.valueRange.max - scan.valueRange.min,
      unit: scan.metadata['Modality'] === 'CT' ? 'HU' : '',
      axes,
      metadata: { ...scan.metadata },
    };
  }

  /** Slices along an axis not cut yet come straight from the volume: the first paint never waits for a whole cut. */
  slice(axis: Axis, index: number): SliceWire {
    const cut = this.isVolume ? this.resliced.get(axis) : this.scan;
    const plane = cut ? sliceOf(cut, index) : reslicedSlice(this.scan, axis, index);
    const [, height, width] = plane.shape;
    return { axis, index, width, height, channels: plane.channels, ...wireValues(plane) };
  }

  /** Slices along `axis`, without cutting it. */
  depth(axis: Axis): number {
    return this.isVolume ? reslicedGeometry(this.scan, axis).shape[0] : 1;
  }

  dispose(): void {
    this.resliced.clear();
  }
}

const compact = (voxels: VoxelArray): voxels is Int16Array | Uint16Array | Int8Array | Uint8Array =>
  voxels instanceof Int16Array || voxels instanceof Uint16Array || voxels instanceof Int8Array || voxels instanceof Uint8Array;

/** An 8/16-bit slice travels as stored, with its rescale (half or a quarter of float32's bytes); any other as float32 in modality units. */
function wireValues(plane: Scan): Pick<SliceWire, 'values' | 'rescale'> {
  if (!compact(plane.voxels)) return { values: sliceImage(plane).data };
  return { values: plane.voxels, ...(plane.rescale ? { rescale: { slope: plane.rescale.slope, intercept: plane.rescale.intercept } } : {}) };
}

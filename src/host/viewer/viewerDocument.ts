import * as vscode from 'vscode';
import { loadScan } from '../../core/scan/loadScan';
import { DEFAULT_LIMITS } from '../../core/scan/limits';
import { resliceScan } from '../../core/scan/reslice';
import { sliceImage, type Scan } from '../../core/scan/scan';
import { AXES, type Axis, type AxisInfo, type ScanInfo, type SliceData } from '../../protocol/viewerMessages';
import { orientationLabels } from './orientationLabels';

/**
 * One opened scan, decoded once in the extension host. The webview never
 * receives the volume: it asks for one slice at a time. Each axis is
 * resliced on first use and kept, so later slices along it are a copy of one plane.
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

  get isVolume(): boolean {
    return this.scan.shape[0] > 1;
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

  axisInfo(axis: Axis): AxisInfo {
    const scan = this.along(axis);
    const [depth, height, width] = scan.shape;
    const spacing = scan.spacing;
    return { depth, width, height, pixelSpacing: spacing ? [spacing[2], spacing[1]] : [1, 1], labels: orientationLabels(scan.affine) };
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

  slice(axis: Axis, index: number): SliceData {
    const scan = this.along(axis);
    const image = sliceImage(scan, index);
    return { axis, index, width: image.width, height: image.height, channels: scan.channels, values: image.data };
  }

  dispose(): void {
    this.resliced.clear();
  }
}

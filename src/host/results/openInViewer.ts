import * as vscode from 'vscode';
import { isVolumeResult, type ClassifyResult } from '../../core/jobs/classifyJob';
import { orderedSeriesFiles } from '../../core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../../core/scan/limits';
import { VIEWER_QUERY_COMMAND, VIEWER_TYPES } from '../viewer/registerViewer';

/** The viewer's own type for DICOM and NIfTI names; the image type (an Open With choice) for the rest. */
function viewTypeOf(file: string): (typeof VIEWER_TYPES)[number] {
  return /\.(dcm|dicom|ima|nii|nii\.gz)$/i.test(file) ? 'scanlens.viewer' : 'scanlens.viewer.image';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The file of a series to open: the viewer reads one file at a time, so the
 * slice file its top class comes from when the series was cut axially (the
 * volume's slices are its files, in order), else its first file.
 */
async function seriesFile(row: ClassifyResult): Promise<string> {
  const files = 'files' in row && row.files?.length ? row.files : undefined;
  if (!files) return row.file;
  if (!isVolumeResult(row) || row.axis !== 'axial') return files[0]!;
  return (await orderedSeriesFiles(row.file, files, DEFAULT_LIMITS))[row.top.slice] ?? files[0]!;
}

/**
 * Opens a row's scan in the ScanLens Viewer beside the results, and for a
 * volume moves it to the slice its top class comes from (the viewer shows
 * its explanation overlay there); a series opens that slice's file.
 * Returns the file opened.
 */
export async function openInViewer(row: ClassifyResult): Promise<string> {
  const file = row.kind === 'series' ? await seriesFile(row) : row.file;
  const uri = vscode.Uri.file(file);
  await vscode.commands.executeCommand('vscode.openWith', uri, viewTypeOf(file), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
  if (row.kind === 'volume' && isVolumeResult(row)) {
    // The editor's page registers a moment after openWith returns, and its first paint sets its own slice: move once it has drawn.
    for (let attempt = 0; ; attempt++) {
      const state = await Promise.resolve(vscode.commands.executeCommand<{ paints: number }>(VIEWER_QUERY_COMMAND, uri, { type: 'state' })).catch(() => undefined);
      if (state && state.paints > 0) break;
      if (attempt >= 200) throw new Error(`the viewer of ${file} did not draw its first slice`);
      await sleep(50);
    }
    await vscode.commands.executeCommand(VIEWER_QUERY_COMMAND, uri, { type: 'goto', axis: row.axis, index: row.top.slice });
  }
  return file;
}

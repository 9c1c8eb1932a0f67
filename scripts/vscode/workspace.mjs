// Builds the folder the suite opens: real scans from the test fixtures and
// samples, one broken "scan", one non-scan, and a workspace model to select.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './provision.mjs';

function copyInto(folder, files) {
  mkdirSync(folder, { recursive: true });
  for (const file of files) copyFileSync(file, join(folder, file.split('/').pop()));
}

/** @param {{ settings?: Record<string, unknown> }} options workspace-level settings, for the restricted run */
export function makeWorkspace({ settings } = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'scanlens-workspace-'));
  const raster = join(ROOT, 'test', 'fixtures', 'raster');
  copyInto(join(folder, 'scans'), readdirSync(raster).map((f) => join(raster, f)));
  // Named like a scan but not one: must become an error row, not stop the batch.
  writeFileSync(join(folder, 'scans', 'broken.png'), 'this is not a PNG file\n');
  writeFileSync(join(folder, 'scans', 'notes.txt'), 'not a scan; skipped\n');
  // Volumes, classified slice by slice: one NIfTI file (8 axial slices), a two-frame DICOM file and a folder that is one DICOM series.
  copyInto(join(folder, 'volumes'), [join(ROOT, 'test', 'fixtures', 'nifti', 'ras-grid.nii'), join(ROOT, 'test', 'fixtures', 'dicom', 'rgb-planar-2frame.dcm')]);
  const series = join(ROOT, 'test', 'fixtures', 'dicom', 'series');
  copyInto(join(folder, 'volumes', 'series'), ['slice-0.dcm', 'slice-1.dcm', 'slice-2.dcm'].map((f) => join(series, f)));
  copyInto(join(folder, 'models', 'tiny'), [join(ROOT, 'test', 'fixtures', 'models', 'tiny-labels.onnx')]);
  const samples = join(ROOT, 'samples');
  if (existsSync(samples)) {
    copyInto(join(folder, 'samples'), readdirSync(samples).filter((f) => f.endsWith('.png')).map((f) => join(samples, f)));
    // The sample analysis notebook, its labels, and the demo model at the path its first cell names.
    copyInto(join(folder, 'samples'), ['analysis.ipynb', 'labels.csv'].map((f) => join(samples, f)));
    copyInto(join(folder, 'models', 'brain-mri-demo'), ['model.json', 'model.onnx'].map((f) => join(ROOT, 'models', 'brain-mri-demo', f)));
  }
  if (settings) {
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  }
  return folder;
}

import { ScanLensError } from '../core/errors';
import { writeScanNifti } from '../core/scan/niftiWriter';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { checkVolumeMethod } from '../core/explain/explain';
import { ExplainCancelled } from '../core/explain/perturbations';
import { explainVolumeJob, type ExplainVolumeResult } from '../core/jobs/explainVolumeJob';
import type { LoadedModel } from '../core/model/loadModel';
import { mapToScanGrid } from '../core/preprocess/volume3dInverse';
import { volumeMontagePng } from '../core/render/volumeMontage';
import { volumeExplanationLines } from '../core/report/volumeExplanationText';
import { SCANLENS_VERSION } from '../core/version';
import type { ExplainFlags } from './explainCommand';
import { errorAbout, givenPath } from './givenPath';
import { modelSummary } from './modelOption';
import { EXIT, printError, printJson, printLine } from './output';
import { runExplain } from './explainRun';

const NIFTI = /\.nii(\.gz)?$/i;

/** What --out writes for a 3D model, by its extension; flags that only make sense for slices are refused. */
function checkVolumeFlags(flags: ExplainFlags): 'nifti' | 'montage' | undefined {
  if (flags.axis !== undefined || flags.slice !== undefined) throw new ScanLensError("a 3D model (NCDHW) explains the whole volume: --axis and --slice choose a 2D model's slice");
  if (flags.score || flags.mask !== undefined) throw new ScanLensError('the scorecard (--score, --mask) does not score 3D explanations yet');
  if (flags.out === undefined) return undefined;
  if (NIFTI.test(flags.out)) return 'nifti';
  if (/\.png$/i.test(flags.out)) return 'montage';
  throw new ScanLensError(`${flags.out}: for a 3D model --out writes .nii or .nii.gz (the map on the scan's voxels) or .png (the peak's axial, coronal and sagittal slices)`);
}

/** The map on the scan's own voxels, written with the scan's orientation: it overlays the scan in any NIfTI viewer. */
async function writeMapNifti(path: string, job: ExplainVolumeResult): Promise<void> {
  await writeScanNifti(path, job.scan, mapToScanGrid(job.grid, job.geometry), `ScanLens ${job.explanation.method}`);
}

/** scanlens explain for a 3D model (NCDHW): the whole volume, the map on the tensor grid, its peak, and --out as NIfTI or a PNG montage. */
export async function explainVolumeCommand(model: LoadedModel, input: string, flags: ExplainFlags, classIndex: number | undefined): Promise<number> {
  // Flags that do not apply are usage mistakes (exit 1), found before the volume is read.
  const out = checkVolumeFlags(flags);
  checkVolumeMethod(flags);
  const file = givenPath(input);
  let job: ExplainVolumeResult;
  try {
    job = await runExplain(flags, classIndex, (options) => explainVolumeJob(model, file.path, options));
    if (out === 'nifti') await writeMapNifti(flags.out!, job);
    if (out === 'montage') await writeFileAtomic(flags.out!, volumeMontagePng(job.tensor, job.grid, job.peak.tensor, flags.colormap, flags.alpha));
  } catch (error) {
    const message = error instanceof ExplainCancelled ? `${input}: cancelled` : errorAbout(file, error);
    printError(message);
    if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, model: modelSummary(model), file: input, error: message });
    return EXIT.someFailed;
  }
  const { explanation: result, grid, peak } = job;
  const { labels } = model.manifest;
  const label = labels[result.classIndex]!;
  const layerGrid = { depth: result.map.depth!, height: result.map.height, width: result.map.width };
  if (flags.json) {
    printJson({
      scanlens: { version: SCANLENS_VERSION },
      model: modelSummary(model),
      file: input,
      method: result.method,
      ...(flags.eigenSmooth ? { smooth: { eigen: true, aug: false } } : {}),
      class: { index: result.classIndex, label },
      layer: result.layer ? { tensor: result.layer.tensor, source: result.layer.source } : null,
      labels,
      probabilities: result.probabilities,
      // D, H, W run along R, A, S (the tensor prepareVolume makes); data is the layer's map, D slowest.
      map: { axes: ['R', 'A', 'S'], ...layerGrid, tensor: { depth: grid.depth, height: grid.height, width: grid.width }, data: Array.from(result.map.data) },
      peak,
      ...(job.tensorAffine ? { tensorAffine: job.tensorAffine } : {}),
      ...(flags.out ? { [NIFTI.test(flags.out) ? 'nifti' : 'montage']: flags.out } : {}),
      ...(result.notes.length > 0 ? { notes: result.notes } : {}),
    });
    return EXIT.ok;
  }
  const lines = volumeExplanationLines(input, job, labels, flags.eigenSmooth ? ' eigen_smooth' : '', flags.out ? `  → ${flags.out}` : '');
  for (const line of lines) printLine(line);
  return EXIT.ok;
}

import { ScanLensError, aboutFile } from '../../../core/errors';
import { ExplainCancelled } from '../../../core/explain/perturbations';
import { explainVolumeJob, type ExplainVolumeResult } from '../../../core/jobs/explainVolumeJob';
import type { LoadedModel } from '../../../core/model/loadModel';
import type { ColormapName } from '../../../core/render/colormaps';
import { volumeMontagePng } from '../../../core/render/volumeMontage';
import { volumeExplanationLines } from '../../../core/report/volumeExplanationText';
import { smoothingFlags, type CamMethodName, type CamSmoothing } from '../../../core/vocabulary/camMethods';
import { displayOutput, type NotebookOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandContext, CommandOf } from '../commandContext';
import { parametersOf } from './parameters';

/**
 * `explain <volume>` with a 3D model (NCDHW): the whole volume explained as
 * `scanlens explain` does (explainVolumeJob), shown as the montage of the
 * peak's axial, coronal and sagittal planes with the CLI's lines under it.
 * Options that choose or score a 2D slice are refused in one line.
 */
export async function explainVolumeCell(
  { command, session, signal, onProgress }: CommandContext<CommandOf<'explain'>>,
  model: LoadedModel,
  method: CamMethodName,
  classIndex: number | undefined,
): Promise<NotebookOutput[]> {
  const { options } = command;
  if (options.axis !== undefined || options.slice !== undefined) throw new ScanLensError("a 3D model (NCDHW) explains the whole volume: axis= and slice= choose a 2D model's slice");
  if (options.score !== undefined || options.mask !== undefined) throw new ScanLensError('the scorecard (score=, mask=) does not score 3D explanations yet');
  const { path, file } = await session.readPath(command.args[0]!);
  const { eigenSmooth, augSmooth } = smoothingFlags(options.smooth as CamSmoothing | undefined);
  let job: ExplainVolumeResult;
  try {
    job = await explainVolumeJob(model, path, {
      method,
      classIndex,
      layer: options.layer,
      eigenSmooth,
      augSmooth,
      signal,
      onProgress: (done, total) => onProgress({ line: command.line, done, total, message: `${method}: ran ${done} of ${total}` }),
    });
  } catch (error) {
    if (error instanceof ExplainCancelled) return [];
    throw aboutFile(file, error);
  }
  const png = volumeMontagePng(job.tensor, job.grid, job.peak.tensor, (options.colormap ?? 'jet') as ColormapName, options.alpha ?? 0.5);
  const text = volumeExplanationLines(file, job, model.manifest.labels, eigenSmooth ? ' eigen_smooth' : '').join('\n');
  return [displayOutput({ png, text }, provenance(command.text, parametersOf(command), model))];
}

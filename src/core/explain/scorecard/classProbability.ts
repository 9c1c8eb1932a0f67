import { inputPerturbations, probabilitiesOf } from '../explain';
import type { LoadedModel } from '../../model/loadModel';
import type { Perturbations, RunControl } from '../perturbations';

/** The class probability of edited copies of the model input, batched through onnxruntime with progress and cancelling. */
export function probabilityRuns(model: LoadedModel, classIndex: number, control: RunControl): Perturbations {
  return inputPerturbations(model, classIndex, control, (row) => probabilitiesOf(model, row)[classIndex]!);
}

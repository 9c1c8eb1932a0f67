/**
 * A 96³ single-channel 3D ResNet (scripts/bench/export_resnet3d.py, seeded random
 * weights) on the ch2 head at 2 mm: classify, and classify + Grad-CAM as
 * `explainVolumeScan` gives it (the volume prepared, probabilities, the map at the
 * automatic layer resized to the 96³ grid and its peak placed in the scan), each
 * against plain onnxruntime on the same tensor: the forward, and the
 * forward+backward of the derived gradient model, at their best way of waiting.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { CLASS_INPUT } from '../src/core/explain/backwardGraph';
import { deriveGradientModel } from '../src/core/explain/deriveGradientModel';
import { resolveTargetLayer } from '../src/core/explain/explainSessions';
import { explainVolumeScan } from '../src/core/jobs/explainVolumeJob';
import { loadModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { prepareVolume } from '../src/core/preprocess/volume3d';
import { loadScan } from '../src/core/scan/loadScan';
import { plainSession } from './plainOrt';
import { bestMedians, timeMedian } from './stats';

export interface Volume3dStage {
  readonly stages_ms: Record<string, number>;
  readonly ratios: Record<string, number>;
}

export const resnet3dPath = (root: string): string => join(root, '.cache', 'bench', 'resnet3d-96.onnx');

export async function volume3dStage(root: string, threads: number, runs: number): Promise<Volume3dStage | { skipped: string }> {
  const path = resnet3dPath(root);
  const volume = join(root, '.cache', 'bench', 'head-2mm.nii.gz');
  if (!existsSync(path) || !existsSync(volume)) return { skipped: `${path} not found: run /usr/bin/python3 scripts/bench/export_resnet3d.py` };
  const model = await loadModel(path, { threads });
  const scan = await loadScan(volume);
  const { input } = model.manifest;
  const tensorData = prepareVolume(scan, input);
  const shape = [1, 1, input.size.depth!, input.size.height, input.size.width];
  const tensor = (): ort.Tensor => new ort.Tensor('float32', tensorData, shape);
  const layer = await resolveTargetLayer(model, undefined);
  const derivedBytes = await deriveGradientModel(await readFile(path), { target: layer.tensor, logits: model.outputName, feeds: { [model.inputName]: tensor() }, file: path });
  const sessions = {
    forward: await plainSession(path, threads),
    forwardNoSpin: await plainSession(path, threads, 'never'),
    backward: await plainSession(derivedBytes, threads),
    backwardNoSpin: await plainSession(derivedBytes, threads, 'never'),
  };
  const classFeed = (): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from([-1n]), [1]);
  try {
    const measured = await bestMedians(runs, {
      classify: () => runModel(model, [prepareVolume(scan, input)]),
      classify_and_gradcam: () => explainVolumeScan(model, scan, { method: 'gradcam', threads }),
      ort_forward_spin_during_runs: () => sessions.forward.run({ [model.inputName]: tensor() }),
      ort_forward_no_spin: () => sessions.forwardNoSpin.run({ [model.inputName]: tensor() }),
      ort_forward_backward_spin_during_runs: () => sessions.backward.run({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed() }),
      ort_forward_backward_no_spin: () => sessions.backwardNoSpin.run({ [model.inputName]: tensor(), [CLASS_INPUT]: classFeed() }),
    });
    const prepare = await timeMedian(runs, () => prepareVolume(scan, input));
    const forward = Math.min(measured.ort_forward_spin_during_runs!, measured.ort_forward_no_spin!);
    const forwardBackward = Math.min(measured.ort_forward_backward_spin_during_runs!, measured.ort_forward_backward_no_spin!);
    return {
      stages_ms: { prepare_volume: prepare, ...measured, ort_forward: forward, ort_forward_backward: forwardBackward },
      ratios: { classify_vs_ort_forward: measured.classify! / forward, classify_and_gradcam_vs_ort_forward_backward: measured.classify_and_gradcam! / forwardBackward },
    };
  } finally {
    await Promise.all([...Object.values(sessions).map((s) => s.release()), model.session.release()]);
  }
}

import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

/** A lesion slice the demo detector scores over its threshold, and a normal slice it passes. */
export const FLAGGED_SAMPLE = join(ROOT, 'samples', 'anomaly', 'lesion', 'meningioma-02.png');
export const NORMAL_SAMPLE = join(ROOT, 'samples', 'anomaly', 'normal', 'normal-02.png');

/**
 * The demo classifier copied into `dir`, its manifest naming a copy of the
 * shipped demo PaDiM detector (models/brain-mri-demo-padim) beside it as its
 * out-of-distribution guard. That detector knows only normal slices, so it flags the lesion
 * samples: enough to see a flagged and an unflagged result side by side.
 */
export function guardedDemoModel(dir: string): string {
  const demo = join(ROOT, 'models', 'brain-mri-demo');
  copyFileSync(join(demo, 'model.onnx'), join(dir, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as Record<string, unknown>;
  // A manifest's detector lies in its folder (links resolved), so the detector is copied in beside it.
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), join(dir, 'padim'), { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...manifest, anomaly: { detector: 'padim' } }));
  return join(dir, 'model.json');
}

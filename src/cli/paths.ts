import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The ScanLens package root: the nearest folder above this file whose package.json is ours. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'scanlens') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the ScanLens package folder');
    dir = parent;
  }
}

/** The demo model that ships with ScanLens, used when no --model is given. */
export function bundledModelPath(): string {
  return join(packageRoot(), 'models', 'brain-mri-demo', 'model.json');
}

/** The backbone `anomaly fit` uses when no --backbone is given: chosen on the held-out brain check (docs/anomaly.md). */
export function anomalyBackbonePath(): string {
  return join(packageRoot(), 'models', 'brain-ssl-backbone', 'model.json');
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `<name>.ts` beside the caller (`here`, its
 * __dirname). A bundle ships `<name>.js` next to itself; from source (tsx:
 * tests, the benchmark) the .ts entry is loaded through tsx's require hook,
 * since a worker does not inherit the parent's loader.
 */
export function spawnWorker(here: string, name: string, workerData?: unknown): Worker {
  const bundled = join(here, `${name}.js`);
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  const source = join(here, `${name}.ts`);
  // Resolved from this file, not the worker's cwd; createRequire keeps the bundler from chasing tsx.
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true, workerData });
}

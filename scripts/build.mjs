// Bundles every entry point with esbuild. Native modules stay external: they
// carry platform binaries that must be loaded from node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // tinyglobby: bundling pulls fdir's ES build, whose createRequire(import.meta.url) breaks in CommonJS.
  // The cornerstone codecs load their .wasm from their own folder at run time.
  external: ['vscode', 'onnxruntime-node', 'sharp', 'tinyglobby', '@cornerstonejs/codec-libjpeg-turbo-8bit', '@cornerstonejs/codec-charls', '@cornerstonejs/codec-openjpeg'],
  define: { __SCANLENS_VERSION__: JSON.stringify(pkg.version) },
};

// The VS Code suite: an index plus one bundle per *.suite.ts, which the index
// hands to Mocha. mocha stays external (resolved from node_modules in the host).
const vscodeSuites = readdirSync('test/vscode')
  .filter((f) => f === 'index.ts' || f.endsWith('.suite.ts'))
  .map((f) => `test/vscode/${f}`);

await Promise.all([
  // The extension is a small shell; dist/commands.js (engine, zod) loads on the first command.
  build({ ...common, entryPoints: ['src/host/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, './commands.js'] }),
  build({ ...common, entryPoints: ['src/host/commands.ts'], outfile: 'dist/commands.js' }),
  build({ ...common, entryPoints: vscodeSuites, outdir: 'dist/test/vscode', external: [...common.external, 'mocha'] }),
  // scripts/viewerTimings.mjs: opens scans in the viewer of a real host and times each step.
  build({ ...common, entryPoints: ['test/timing/viewerTimings.ts'], outfile: 'dist/test/timing/viewerTimings.js' }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' }),
  // DICOM/NIfTI decoding runs in a worker; cli.js and commands.js find it next to themselves.
  build({ ...common, entryPoints: ['src/core/scan/decodeWorker.ts'], outfile: 'dist/decodeWorker.js' }),
  // Decode + preprocess worker threads of the batch pipeline (src/core/classify/preparePool.ts).
  build({ ...common, entryPoints: ['src/core/classify/prepareWorker.ts'], outfile: 'dist/prepareWorker.js' }),
  // Cross-validation folds of the linear probe (src/core/train/chooseStrength.ts), one per core.
  build({ ...common, entryPoints: ['src/core/train/strengthWorker.ts'], outfile: 'dist/strengthWorker.js' }),
]);

// The scan viewer's page: browser code and its CSS bundled apart, loaded by nonce from
// dist/webview, the only folder the webview may read.
await build({
  ...common,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  external: [],
  entryPoints: ['src/webview/viewer.ts'],
  outfile: 'dist/webview/viewer.js',
  minify: true,
});
// The results view's page (grid, table and audit of a classify result), bundled the same way.
await build({
  ...common,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  external: [],
  entryPoints: ['src/webview/results/results.ts'],
  outfile: 'dist/webview/results.js',
  minify: true,
});
// plotly.js's basic bundle (bar, scatter), loaded by the viewer page after its first paint.
copyFileSync('node_modules/plotly.js-basic-dist-min/plotly-basic.min.js', 'dist/webview/plotly.js');

// The notebook renderer: browser code (plotly's cartesian bundle, zod for the payload) as the ES
// module VS Code imports into the notebook's output frame (contributes.notebookRenderer).
await build({
  ...common,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  external: [],
  entryPoints: ['src/renderer/renderer.ts'],
  outfile: 'dist/renderer/renderer.js',
  minify: true,
});

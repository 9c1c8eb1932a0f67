// Bundles every entry point with esbuild. Native modules stay external: they
// carry platform binaries that must be loaded from node_modules at run time.
import { build } from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';

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
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' }),
  // DICOM/NIfTI decoding runs in a worker; cli.js and commands.js find it next to themselves.
  build({ ...common, entryPoints: ['src/core/scan/decodeWorker.ts'], outfile: 'dist/decodeWorker.js' }),
]);

import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encodeNpy } from '../../src/core/anomaly/npy';
import { decodeModel, encodeModel } from '../../src/core/onnx/modelProto';
import { fixture, ROOT } from '../helpers/paths';
import { addGoodSample, GOOD, type HostileCase } from './hostileCase';

/*
 * Small files declaring sizes that exist only to exhaust memory: each must be
 * refused from what it declares, before anything of that size is allocated
 * (issue 20 items 1 and 2).
 */

const DEMO_MODEL = join(ROOT, 'models', 'brain-mri-demo');

/**
 * A little-endian TIFF of `pages` greyscale 8-bit pages of side × side
 * pixels, deflate-compressed, every page's one strip pointing at the same
 * compressed zeros: 40 pages of 8192² (each within the pixel limit,
 * together 2.7 G samples) take about 70 KB.
 */
export function tiffPages(pages: number, side: number): Buffer {
  const strip = deflateSync(Buffer.alloc(side * side), { level: 9 });
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  const stripAt = 8;
  const SHORT = 3;
  const LONG = 4;
  const entries: [number, number, number][] = [
    [256, LONG, side], // ImageWidth
    [257, LONG, side], // ImageLength
    [258, SHORT, 8], // BitsPerSample
    [259, SHORT, 8], // Compression: deflate
    [262, SHORT, 1], // PhotometricInterpretation: BlackIsZero
    [273, LONG, stripAt], // StripOffsets
    [277, SHORT, 1], // SamplesPerPixel
    [278, LONG, side], // RowsPerStrip
    [279, LONG, strip.length], // StripByteCounts
    [284, SHORT, 1], // PlanarConfiguration: chunky
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const firstIfd = stripAt + strip.length + ((stripAt + strip.length) % 2);
  header.writeUInt32LE(firstIfd, 4);
  const ifds = Buffer.alloc(pages * ifdSize);
  for (let page = 0; page < pages; page++) {
    const at = page * ifdSize;
    ifds.writeUInt16LE(entries.length, at);
    entries.forEach(([tag, type, value], i) => {
      const e = at + 2 + i * 12;
      ifds.writeUInt16LE(tag, e);
      ifds.writeUInt16LE(type, e + 2);
      ifds.writeUInt32LE(1, e + 4);
      if (type === SHORT) ifds.writeUInt16LE(value, e + 8);
      else ifds.writeUInt32LE(value, e + 8);
    });
    ifds.writeUInt32LE(page + 1 < pages ? firstIfd + (page + 1) * ifdSize : 0, at + 2 + entries.length * 12);
  }
  return Buffer.concat([header, strip, Buffer.alloc(firstIfd - stripAt - strip.length), ifds]);
}

/** The demo model's folder copied to `dir/name`, its manifest edited; returns the manifest's path. */
export function demoModelCopy(dir: string, name: string, edit: (manifest: Record<string, unknown>) => void): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  copyFileSync(join(DEMO_MODEL, 'model.onnx'), join(folder, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(DEMO_MODEL, 'model.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(join(folder, 'model.json'), JSON.stringify(manifest, null, 2));
  return join(folder, 'model.json');
}

/** A PatchCore detector folder `dir/detector` (test/core/anomaly/detectorLimits.test.ts's layout) declaring a grid × grid feature map of `channels` channels, with a one-row bank. */
export function patchcoreDeclaring(dir: string, grid: number, channels: number): string {
  const folder = join(dir, 'detector');
  mkdirSync(folder);
  const bank = encodeNpy({ dtype: '<f4', shape: [1, channels], data: new Float32Array(channels) });
  writeFileSync(join(folder, 'patchcore-bank.npy'), bank);
  const manifest = {
    schema: 'scanlens.detector/1',
    method: 'patchcore',
    scanlens: '0.1.0',
    backbone: { name: 'brain-mri-demo', sha256: '0'.repeat(64), path: 'backbone/model.json' },
    features: { layers: ['/features/features.4/Relu_output_0'], grid: { width: grid, height: grid }, channels: Array.from({ length: channels }, (_, i) => i), seed: 3 },
    map: { sigma: 4 },
    threshold: { value: 1.5, percentile: 90, calibration: { images: 2, min: 0.5, max: 2, mean: 1.25 } },
    training: { images: 8, failed: 1 },
    parameters: { bank: 1 },
    arrays: { bank: { file: 'patchcore-bank.npy', sha256: createHash('sha256').update(bank).digest('hex') } },
  };
  writeFileSync(join(folder, 'detector.json'), JSON.stringify(manifest));
  return folder;
}

export const declaredSizeCases: readonly HostileCase[] = [
  {
    name: '70 KB TIFF of 40 pages of 8192² (classify)',
    build: (dir) => {
      writeFileSync(join(dir, 'pages.tif'), tiffPages(40, 8192));
      return { args: ['classify', 'pages.tif', addGoodSample(dir), '--json'] };
    },
    expect: {
      exit: 2,
      errors: [
        {
          file: 'pages.tif',
          reason: /image has 40 pages of 8192×8192×1 samples \(2684354560 uchar samples, 2684354560 bytes decoded\), over the limits of 268435456 samples and \d+ bytes for one volume$/,
        },
      ],
      unchanged: [GOOD],
    },
  },
  {
    name: 'ONNX with a 65536² sparse initializer (classify --model)',
    build: (dir) => {
      const model = decodeModel(readFileSync(fixture('hostile', 'benign.onnx')));
      const sparse = {
        values: { name: 'sparse', dims: [1], dataType: 1, floatData: [1] },
        indices: { name: 'sparse_indices', dims: [1], dataType: 7, int64Data: [0] },
        dims: [65536, 65536],
      };
      writeFileSync(join(dir, 'sparse.onnx'), encodeModel({ ...model, graph: { ...model.graph, sparseInitializer: [sparse] } as typeof model.graph }));
      return { args: ['classify', addGoodSample(dir), '--model', 'sparse.onnx'] };
    },
    expect: { exit: 1, errors: [{ file: 'sparse.onnx', reason: /.*sparse initializer 'sparse' \(dense shape\) declares 4294967296 elements, over the limit of 1073741824/ }] },
  },
  {
    name: 'model.json declaring an 8192×8192×3 input (classify --model)',
    build: (dir) => {
      demoModelCopy(dir, 'big-input', (m) => (m.input = { ...(m.input as object), channels: 3, size: { width: 8192, height: 8192 }, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }));
      return { args: ['classify', addGoodSample(dir), '--model', 'big-input/model.json'] };
    },
    expect: {
      exit: 1,
      errors: [{ file: 'big-input/model.json', reason: /invalid manifest: input\.size: 8192×8192×3 is 201326592 values per input, over the limit of 50331648 \(4096×4096×3\)$/ }],
    },
  },
  {
    name: '16 KB PatchCore detector declaring 1024² × 4096 (anomaly score)',
    build: (dir) => {
      patchcoreDeclaring(dir, 1024, 4096);
      return { args: ['anomaly', 'score', addGoodSample(dir), '--detector', 'detector'] };
    },
    expect: {
      exit: 1,
      errors: [{ file: 'detector/detector.json', reason: /detector manifest field 'features': a 1024×1024 grid of 4096 channels is 4294967296 feature values per image, over the limit of 16777216$/ }],
    },
  },
];

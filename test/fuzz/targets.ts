import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadDetector } from '../../src/core/anomaly/detectorFile';
import { readManifest } from '../../src/core/model/manifestLoader';
import { vetModel } from '../../src/core/model/vetModel';
import { loadScan } from '../../src/core/scan/loadScan';
import { SLICE_AXES } from '../../src/core/scan/reslice';
import { chooseSlice } from '../../src/core/scan/sliceChoice';
import { readDicomHeader } from '../../src/core/scan/dicomHeader';
import { groupSeries } from '../../src/core/scan/dicomSeries';
import type { DecodeLimits } from '../../src/core/scan/limits';
import { parseNotebook, sourceText } from '../../src/notebook/ipynb/readNotebook';
import { formatProblem, parseCell } from '../../src/notebook/parser/parseCell';
import { FIXTURES } from '../helpers/paths';
import { SELF_TEST_TARGETS } from './selfTestTargets';

/** What one fuzz target decodes, from which seeds, and how. */
export interface Target {
  readonly name: string;
  /** Seed files, absolute paths. */
  readonly seeds: readonly string[];
  /** Adds token-level edits meant for text formats. */
  readonly text: boolean;
  /** Runs the first seed unmutated and untimed before the campaign, so module loading and worker start-up are not counted as a hang. */
  readonly warmUp: boolean;
  /** Feeds one input, already written to `file`. Throws whatever the code under test throws. */
  run(bytes: Uint8Array, file: string): Promise<void>;
}

/**
 * Tighter than the defaults so that every input the limits let through
 * decodes quickly and small: what is under test is that limits and errors
 * hold, not how large a legal scan can be. The worker's time limit stays far
 * above the fuzz's 2 s hang bound, so a decoder that loops shows up as a hang.
 */
export const FUZZ_LIMITS: DecodeLimits = {
  maxPixels: 2048 * 2048,
  maxFileBytes: 4 * 1024 * 1024,
  maxVoxels: 16 * 1024 * 1024,
  maxDecodedBytes: 64 * 1024 * 1024,
  maxDecodeSeconds: 60,
  maxDecodeHeapMb: 256,
};

const files = (folder: string, match: RegExp): string[] =>
  readdirSync(folder)
    .filter((name) => match.test(name))
    .sort()
    .map((name) => join(folder, name));

const seedsDir = join(FIXTURES, 'fuzz-seeds');

async function scan(_bytes: Uint8Array, file: string): Promise<void> {
  await loadScan(file, FUZZ_LIMITS);
}

/** A volume is also cut along every axis, as classify and the viewer do: its geometry (affine, spacing) must hold up too. */
async function volume(_bytes: Uint8Array, file: string): Promise<void> {
  const loaded = await loadScan(file, FUZZ_LIMITS);
  for (const axis of SLICE_AXES) chooseSlice(loaded, { axis });
}

const seriesSlices = files(join(FIXTURES, 'dicom', 'series'), /\.dcm$/);

/**
 * The header scan that groups a folder into series: the header alone (whose
 * errors must hold like the decoders'), then grouping beside a valid series,
 * which never throws (an unreadable file stays single, to become an error row)
 * and puts the input in exactly one place. A broken promise is thrown as a
 * string, which the judge always rejects.
 */
async function header(_bytes: Uint8Array, file: string): Promise<void> {
  let headerError: unknown;
  await readDicomHeader(file, FUZZ_LIMITS).catch((error: unknown) => (headerError = error));
  const grouped = await groupSeries([seriesSlices[0]!, file, ...seriesSlices.slice(1)], FUZZ_LIMITS).catch((error: unknown) => {
    throw `groupSeries threw, though it keeps unreadable files single: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  });
  const places = [...grouped.series.flatMap((s) => s.files), ...grouped.single, ...grouped.multiFrame].filter((f) => f === file).length;
  if (places !== 1) throw `groupSeries put the input in ${places} places`;
  if (headerError !== undefined) throw headerError;
}

const detectorSeeds = join(seedsDir, 'detectors');

/** Valid arrays of every detector seed beside the mutated detector.json (their file names differ by method), copied once. */
async function detector(_bytes: Uint8Array, file: string): Promise<void> {
  for (const method of readdirSync(detectorSeeds)) {
    for (const array of files(join(detectorSeeds, method), /\.npy$/)) {
      const beside = join(dirname(file), basename(array));
      if (!existsSync(beside)) copyFileSync(array, beside);
    }
  }
  await loadDetector(file);
}

export const TARGETS: readonly Target[] = [
  {
    name: 'dicom',
    seeds: [...files(join(FIXTURES, 'dicom'), /\.dcm$/), ...files(join(FIXTURES, 'dicom', 'series'), /\.dcm$/), ...files(join(seedsDir, 'dicom'), /\.dcm$/)],
    text: false,
    warmUp: true,
    run: scan,
  },
  { name: 'header', seeds: [...seriesSlices, ...files(join(seedsDir, 'dicom'), /\.dcm$/), join(FIXTURES, 'dicom', 'mr-deflated.dcm')], text: false, warmUp: true, run: header },
  { name: 'nifti', seeds: files(join(FIXTURES, 'nifti'), /\.nii(\.gz)?$/), text: false, warmUp: true, run: volume },
  {
    name: 'raster',
    seeds: [...files(join(FIXTURES, 'raster'), /\.(png|tif|jpg)$/), ...files(join(seedsDir, 'raster'), /./)],
    text: false,
    warmUp: true,
    run: scan,
  },
  {
    name: 'cell',
    seeds: files(join(seedsDir, 'cells'), /\.txt$/),
    text: true,
    warmUp: true,
    // The parser never throws: every mistake is a problem in its result.
    async run(bytes) {
      const parsed = parseCell(new TextDecoder().decode(bytes));
      if (!parsed.ok) parsed.problems.forEach(formatProblem);
    },
  },
  {
    name: 'manifest',
    seeds: [...files(join(seedsDir, 'manifests'), /\.json$/), join(FIXTURES, '..', '..', 'models', 'brain-mri-demo', 'model.json')],
    text: true,
    warmUp: true,
    async run(_bytes, file) {
      await readManifest(file);
    },
  },
  {
    name: 'detector',
    seeds: readdirSync(detectorSeeds)
      .sort()
      .map((method) => join(detectorSeeds, method, 'detector.json')),
    text: true,
    warmUp: true,
    run: detector,
  },
  {
    name: 'onnx',
    seeds: [...files(join(FIXTURES, 'models'), /\.onnx$/), ...files(join(FIXTURES, 'hostile'), /\.onnx$/)],
    text: false,
    warmUp: true,
    async run(bytes, file) {
      vetModel(bytes, file);
    },
  },
  {
    name: 'ipynb',
    seeds: files(join(seedsDir, 'notebooks'), /\.ipynb$/),
    text: true,
    warmUp: true,
    async run(bytes, file) {
      const notebook = parseNotebook(new TextDecoder().decode(bytes), file);
      for (const cell of notebook.cells) sourceText(cell.source);
    },
  },
];

export function targetNamed(name: string): Target {
  const target = [...TARGETS, ...SELF_TEST_TARGETS].find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target '${name}' (have: ${TARGETS.map((t) => t.name).join(', ')})`);
  return target;
}

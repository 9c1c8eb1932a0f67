import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../src/core/model/manifestLoader';
import { vetModel } from '../../src/core/model/vetModel';
import { loadScan } from '../../src/core/scan/loadScan';
import { SLICE_AXES } from '../../src/core/scan/reslice';
import { chooseSlice } from '../../src/core/scan/sliceChoice';
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

export const TARGETS: readonly Target[] = [
  {
    name: 'dicom',
    seeds: [...files(join(FIXTURES, 'dicom'), /\.dcm$/), ...files(join(FIXTURES, 'dicom', 'series'), /\.dcm$/), ...files(join(seedsDir, 'dicom'), /\.dcm$/)],
    text: false,
    warmUp: true,
    run: scan,
  },
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

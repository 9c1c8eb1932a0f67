/**
 * The linear probe (scanlens train) on a labelled folder, set against its
 * limit: extracting the same scans' embeddings alone (read, preprocess, the
 * backbone up to the head's input), which training has to do anyway.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { featureSession } from '../src/core/anomaly/features/featureSession';
import { prepareSlice } from '../src/core/anomaly/prepareSlice';
import { trainJob } from '../src/core/jobs/trainJob';
import type { LoadedModel } from '../src/core/model/loadModel';
import { decodeModel } from '../src/core/onnx/modelProto';
import { verifiedModelBytes } from '../src/core/model/modelBytes';
import { findHead } from '../src/core/train/headGraph';
import { dims } from './plainOrt';
import { interleavedMedians } from './stats';

export interface ProbeStage {
  readonly images: number;
  /** Median of one whole train job (embeddings, cross-validation, fit, calibration, the new model written), ms. */
  readonly train_ms: number;
  /** Median of extracting the same embeddings alone, ms. */
  readonly extraction_ms: number;
  readonly train_vs_extraction: number;
  readonly strength: number;
  readonly validation_accuracy: number;
  readonly runs: number;
}

/** A seeded generator in [0, 1) (mulberry32): the same folder on every machine. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct labelled scans, one folder per class: the samples turned, flipped and brightened at random (seeded). */
async function labelledFolder(root: string, count: number): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'scanlens-probe-'));
  const samples = readFileSync(join(root, 'samples', 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  const next = random(7);
  for (let i = 0; i < count; i++) {
    const [file, label] = samples[i % samples.length]!;
    mkdirSync(join(folder, label!), { recursive: true });
    const source = sharp(join(root, 'samples', file!));
    const { width, height } = await source.metadata();
    let image = sharp(join(root, 'samples', file!)).rotate((next() - 0.5) * 16, { background: '#000' });
    if (next() < 0.5) image = image.flop();
    const rotated = await image.png().toBuffer();
    await sharp(rotated)
      .resize(width, height, { fit: 'cover' })
      .modulate({ brightness: 0.85 + next() * 0.3 })
      .png()
      .toFile(join(folder, label!, `${String(i).padStart(5, '0')}.png`));
  }
  return folder;
}

export async function probeStage(root: string, model: LoadedModel, count: number, runs: number): Promise<ProbeStage> {
  const folder = await labelledFolder(root, count);
  const out = mkdtempSync(join(tmpdir(), 'scanlens-probe-out-'));
  const files = readdirDeep(folder);
  const head = findHead(decodeModel(await verifiedModelBytes(model), model.onnxPath).graph, model.onnxPath);
  const session = await featureSession(model, [head.embedding]);
  const extraction = async (): Promise<void> => {
    for (const file of files) {
      const input = await prepareSlice(file, model.manifest);
      await session.run({ [model.inputName]: new ort.Tensor('float32', input.data, dims(model, 1)) }, [head.embedding]);
    }
  };
  let last: Awaited<ReturnType<typeof trainJob>> | undefined;
  const train = async (): Promise<void> => {
    last = await trainJob(model, { labelled: folder, out, seed: 0 });
  };
  try {
    const measured = await interleavedMedians(runs, { extraction, train }, 0);
    return {
      images: files.length,
      train_ms: measured.train!,
      extraction_ms: measured.extraction!,
      train_vs_extraction: measured.train! / measured.extraction!,
      strength: last!.strength.strength,
      validation_accuracy: last!.validation.accuracy,
      runs,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

function readdirDeep(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export function probeLine(p: ProbeStage): string {
  return `  linear probe on ${p.images} labelled images   ${(p.train_ms / 1000).toFixed(1)} s median of ${p.runs}   extracting their embeddings alone ${(p.extraction_ms / 1000).toFixed(1)} s   ${p.train_vs_extraction.toFixed(2)}× (C ${p.strength}, validation accuracy ${(p.validation_accuracy * 100).toFixed(1)} %)`;
}

import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import { pathInFolder } from '../io/containment';
import { readRegularFile } from '../io/regularFile';
import { ort } from '../native/ort';
import { sessionOptions } from './sessionOptions';
import { ExecutionProviderError, checkProvider } from './executionProviders';
import type { Manifest } from './manifest';
import { readManifest } from './manifestLoader';
import { specFromGraph } from './bareModel';
import { bundleModel, readMonaiBundle } from './monaiBundle';
import { checkDeclaredShapes, graphName, probeModel } from './checkManifest';
import { rememberModelBytes } from './modelBytes';
import { vetModel } from './vetModel';

export interface ModelOptions {
  /** onnxruntime intra-op threads; default min(4, cores). */
  readonly threads?: number;
  /** Largest .onnx file accepted, in bytes. */
  readonly maxModelBytes?: number;
  /** onnxruntime execution provider ('cpu' by default); see executionProviders.ts. */
  readonly provider?: string;
}

export interface LoadedModel {
  readonly manifest: Manifest;
  /** The manifest file, or undefined for a bare .onnx. */
  readonly manifestPath: string | undefined;
  readonly onnxPath: string;
  readonly sha256: string;
  /** Every value guessed rather than read from a manifest, in words. */
  readonly assumptions: readonly string[];
  readonly session: InferenceSession;
  readonly inputName: string;
  readonly outputName: string;
  /** False when the graph fixes the batch size, so inputs run one at a time. */
  readonly batchable: boolean;
  /** True for a bare model whose output may already be probabilities (decided per run). */
  readonly outputTypeGuessed: boolean;
  /** The execution provider the session was created with; sessions derived from the model use it too. */
  readonly provider: string;
  /** The intra-op thread count the session was created with; derived sessions default to it. */
  readonly threads: number;
}

const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** A folder holds model.json, else is a MONAI bundle shipping models/model.onnx, else holds exactly one .onnx. */
async function resolveModelPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ScanLensError('model not found', path);
  if (!info.isDirectory()) return path;
  const entries = await readdir(path);
  if (entries.includes('model.json')) return join(path, 'model.json');
  const bundled = await bundleModel(path);
  if (bundled) return bundled;
  const onnx = entries.filter((e) => extname(e).toLowerCase() === '.onnx');
  if (onnx.length === 1) return join(path, onnx[0]!);
  throw new ScanLensError(onnx.length === 0 ? 'folder has no model.json or .onnx file' : 'folder has several .onnx files and no model.json to choose', path);
}

async function readModelBytes(path: string, limit: number): Promise<Buffer> {
  // Only a regular file (or a link to one) is opened: a FIFO or device in the model's place is refused before the open.
  const bytes = await readRegularFile(path, limit, 'model file');
  // Hostile graphs (external data, custom ops, huge declared sizes) are refused before onnxruntime parses them.
  vetModel(bytes, path);
  return bytes;
}

async function createSession(bytes: Buffer, path: string, options: Required<ModelOptions>): Promise<InferenceSession> {
  try {
    return await ort().InferenceSession.create(bytes, sessionOptions(options.provider, options.threads));
  } catch (error) {
    if (options.provider === 'cpu') throw new ScanLensError(`onnxruntime cannot load the model (${oneLine(error)})`, path);
    throw new ExecutionProviderError(`onnxruntime cannot load the model with execution provider '${options.provider}' (${oneLine(error)})`, options.provider, path);
  }
}

function isBatchable(session: InferenceSession, inputName: string): boolean {
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  if (!meta || !meta.isTensor) return false;
  const first = meta.shape[0];
  return typeof first === 'string' || first === -1 || first === undefined;
}

async function loadFromManifest(manifestPath: string, options: Required<ModelOptions>): Promise<LoadedModel> {
  const manifest = await readManifest(manifestPath);
  const folder = dirname(manifestPath);
  const onnxPath = await pathInFolder(folder, manifest.file, 'file', manifestPath);
  const bytes = await readModelBytes(onnxPath, options.maxModelBytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  rememberModelBytes(sha256, bytes);
  if (sha256 !== manifest.sha256) {
    throw new ScanLensError(`sha256 is ${sha256}, but ${basename(manifestPath)} says ${manifest.sha256}: the file changed or is not the model the manifest describes`, onnxPath);
  }
  const session = await createSession(bytes, onnxPath, options);
  let inputName: string;
  let outputName: string;
  try {
    // A manifest is a claim about the graph: held against its declared shapes, then one probe run.
    inputName = graphName(session, manifest, 'input', manifestPath);
    outputName = graphName(session, manifest, 'output', manifestPath);
    checkDeclaredShapes(session, manifest, inputName, outputName, manifestPath);
    await probeModel({ session, manifest, inputName, outputName, manifestPath, onnxPath });
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
  return {
    manifest,
    manifestPath,
    onnxPath,
    sha256,
    assumptions: [],
    session,
    inputName,
    outputName,
    batchable: isBatchable(session, inputName),
    outputTypeGuessed: false,
    provider: options.provider,
    threads: options.threads,
  };
}

async function loadBare(onnxPath: string, options: Required<ModelOptions>): Promise<LoadedModel> {
  const bytes = await readModelBytes(onnxPath, options.maxModelBytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  rememberModelBytes(sha256, bytes);
  const bundle = await readMonaiBundle(onnxPath);
  const session = await createSession(bytes, onnxPath, options);
  let spec: ReturnType<typeof specFromGraph>;
  try {
    spec = specFromGraph(session, bytes, onnxPath, sha256, bundle);
    const { input, output } = spec.manifest;
    await probeModel({ session, manifest: spec.manifest, inputName: input.name ?? session.inputNames[0]!, outputName: output.name ?? session.outputNames[0]!, manifestPath: undefined, onnxPath });
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
  const { manifest, assumptions } = spec;
  const inputName = manifest.input.name ?? session.inputNames[0]!;
  const outputName = manifest.output.name ?? session.outputNames[0]!;
  return {
    manifest,
    manifestPath: undefined,
    onnxPath,
    sha256,
    assumptions,
    session,
    inputName,
    outputName,
    batchable: isBatchable(session, inputName),
    outputTypeGuessed: true,
    provider: options.provider,
    threads: options.threads,
  };
}

/**
 * Loads a model from a manifest (.json), a bare .onnx, or a folder holding
 * either. The bytes hashed are the bytes run, so a file swapped after the
 * check cannot slip through.
 */
export async function loadModel(path: string, options: ModelOptions = {}): Promise<LoadedModel> {
  const full: Required<ModelOptions> = {
    threads: options.threads ?? defaultThreads(),
    maxModelBytes: options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES,
    provider: options.provider ?? 'cpu',
  };
  if (!Number.isInteger(full.threads) || full.threads < 1) throw new ScanLensError(`thread count must be a positive whole number, got ${full.threads}`);
  checkProvider(full.provider);
  const target = await resolveModelPath(path);
  return extname(target).toLowerCase() === '.json' ? loadFromManifest(target, full) : loadBare(target, full);
}

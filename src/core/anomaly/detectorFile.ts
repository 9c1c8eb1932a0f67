import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ScanLensError, oneLine } from '../errors';
import { writeFileAtomic } from '../io/atomicWrite';
import type { FeatureDetector } from './detector';
import { DetectorManifestSchema, type DetectorManifest } from './detectorManifest';
import { decodeNpy, encodeNpy, type NpyArray } from './npy';
import { DETECTOR_KINDS } from './detectorKinds';

export const MANIFEST_FILE = 'detector.json';
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_ARRAY_BYTES = 512 * 1024 * 1024;

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const arrayFile = (method: string, name: string): string => `${method}-${name}.npy`;

/** The files saveDetector writes in a detector folder, by name: the arrays, then the manifest. */
export function detectorFileNames(detector: FeatureDetector): string[] {
  return [...Object.keys(detector.arrays()).map((name) => arrayFile(detector.method, name)), MANIFEST_FILE];
}

/** Writes the arrays, then the manifest that names them (each atomically): readers see the old detector or the new one. */
export async function saveDetector(folder: string, manifest: Omit<DetectorManifest, 'arrays' | 'parameters'>, detector: FeatureDetector): Promise<DetectorManifest> {
  const arrays: DetectorManifest['arrays'] = {};
  for (const [name, array] of Object.entries(detector.arrays())) {
    const bytes = encodeNpy(array);
    const file = arrayFile(manifest.method, name);
    await writeFileAtomic(join(folder, file), bytes);
    arrays[name] = { file, sha256: sha(bytes) };
  }
  const full: DetectorManifest = { ...manifest, parameters: detector.parameters(), arrays };
  await writeFileAtomic(join(folder, MANIFEST_FILE), JSON.stringify(full, null, 2) + '\n');
  return full;
}

async function readLimited(path: string, limit: number, what: string): Promise<Buffer> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ScanLensError(`${what} not found`, path);
  if (info.size > limit) throw new ScanLensError(`${what} is ${info.size} bytes, over the ${limit}-byte limit`, path);
  return readFile(path);
}

export interface LoadedDetector {
  readonly folder: string;
  readonly manifest: DetectorManifest;
  readonly detector: FeatureDetector;
}

/** The manifest path for a detector folder or a detector.json. */
export async function detectorManifestPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ScanLensError('detector not found', path);
  return info.isDirectory() ? join(path, MANIFEST_FILE) : path;
}

/** A NaN or infinite number in a detector's arrays makes its distances NaN, and a NaN score passes any threshold: refused at load, whatever the kind. */
function checkFinite(array: NpyArray, file: string): void {
  const { data } = array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new ScanLensError(`holds a value that is not finite (${data[i]} at index ${i}): the detector would score NaN`, file);
  }
}

export async function loadDetector(path: string): Promise<LoadedDetector> {
  const manifestPath = await detectorManifestPath(path);
  const folder = dirname(manifestPath);
  const text = (await readLimited(manifestPath, MAX_MANIFEST_BYTES, 'detector manifest')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScanLensError(`detector manifest is not JSON (${oneLine(error)})`, manifestPath);
  }
  const parsed = DetectorManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ScanLensError(`detector manifest field '${issue.path.join('.') || '(root)'}': ${issue.message}`, manifestPath);
  }
  const manifest = parsed.data;
  const arrays: Record<string, NpyArray> = {};
  for (const [name, entry] of Object.entries(manifest.arrays)) {
    const file = join(folder, entry.file);
    const bytes = await readLimited(file, MAX_ARRAY_BYTES, 'detector array');
    if (sha(bytes) !== entry.sha256) throw new ScanLensError(`sha256 differs from ${MANIFEST_FILE}: the array changed or belongs to another detector`, file);
    arrays[name] = decodeNpy(bytes, file);
    checkFinite(arrays[name]!, file);
  }
  const positions = manifest.features.grid.width * manifest.features.grid.height;
  const detector = DETECTOR_KINDS[manifest.method].load(arrays, manifest.parameters, { positions, channels: manifest.features.channels.length }, manifestPath);
  return { folder, manifest, detector };
}

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
/** Largest array file a detector may hold (read whole into memory). */
export const MAX_ARRAY_BYTES = 512 * 1024 * 1024;

/**
 * Most feature values (grid width × height × channels) a detector may declare:
 * each scored image's features are held as that many float32s (2²⁴ = 64 MiB),
 * so a 16 KB detector declaring a 1024² grid of 4096 channels (16 GiB) is
 * refused before anything is read or allocated.
 */
export const MAX_FEATURE_VALUES = 1 << 24;
/** Most values a PatchCore memory bank may declare (bank rows × channels): the 512 MiB array-file limit, in float32s. */
export const MAX_BANK_VALUES = MAX_ARRAY_BYTES / 4;

/** The sizes the manifest declares, against the limits above, before any array is read; errors name the field. */
export function checkDeclaredSizes(manifest: DetectorManifest, file: string): void {
  const { grid, channels } = manifest.features;
  const values = grid.width * grid.height * channels.length;
  if (values > MAX_FEATURE_VALUES) {
    throw new ScanLensError(
      `detector manifest field 'features': a ${grid.width}×${grid.height} grid of ${channels.length} channels is ${values} feature values per image, over the limit of ${MAX_FEATURE_VALUES}`,
      file,
    );
  }
  if (manifest.method !== 'patchcore') return;
  const bank = manifest.parameters['bank'];
  if (bank === undefined || !Number.isSafeInteger(bank) || bank < 1) {
    throw new ScanLensError(`detector manifest field 'parameters.bank': must be the memory bank's row count, a positive whole number (got ${bank})`, file);
  }
  if (bank * channels.length > MAX_BANK_VALUES) {
    throw new ScanLensError(`detector manifest field 'parameters.bank': ${bank} rows of ${channels.length} channels is ${bank * channels.length} values, over the limit of ${MAX_BANK_VALUES}`, file);
  }
}

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
  checkDeclaredSizes(manifest, manifestPath);
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

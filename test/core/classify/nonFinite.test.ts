import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { toRow } from '../../../src/core/classify/classify';
import { releasePools } from '../../../src/core/classify/preparePool';
import { classifyInputs } from '../../../src/core/jobs/classifyInputs';
import { classifyJob, rowError, type ClassifyResult } from '../../../src/core/jobs/classifyJob';
import { loadModel, type LoadedModel } from '../../../src/core/model/loadModel';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { dicomElement, us } from '../../helpers/dicomElement';
import { niftiInt16Header } from '../../helpers/niftiHeader';
import { ROOT } from '../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-non-finite-'));
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  return releasePools();
});

const demo = (): Promise<LoadedModel> => loadModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });

/** A 32×32 16-bit MONOCHROME2 DICOM (explicit VR little endian), a ramp, with the given rescale slope. */
function dicomWithSlope(name: string, slope: string): string {
  const meta = dicomElement(0x0002, 0x0010, 'UI', Buffer.from('1.2.840.10008.1.2.1\0', 'latin1'));
  const pixels = Buffer.from(new Uint16Array(32 * 32).map((_, i) => i).buffer);
  const path = join(tmp, name);
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM', 'latin1'),
      dicomElement(0x0002, 0x0000, 'UL', Buffer.from(Uint32Array.of(meta.length).buffer)),
      meta,
      dicomElement(0x0008, 0x0060, 'CS', Buffer.from('MR', 'latin1')),
      dicomElement(0x0028, 0x0002, 'US', us(1)),
      dicomElement(0x0028, 0x0004, 'CS', Buffer.from('MONOCHROME2 ', 'latin1')),
      dicomElement(0x0028, 0x0010, 'US', us(32)),
      dicomElement(0x0028, 0x0011, 'US', us(32)),
      dicomElement(0x0028, 0x0100, 'US', us(16)),
      dicomElement(0x0028, 0x0101, 'US', us(16)),
      dicomElement(0x0028, 0x0102, 'US', us(15)),
      dicomElement(0x0028, 0x0103, 'US', us(0)),
      dicomElement(0x0028, 0x1052, 'DS', Buffer.from('0', 'latin1')),
      dicomElement(0x0028, 0x1053, 'DS', Buffer.from(slope, 'latin1')),
      dicomElement(0x7fe0, 0x0010, 'OW', pixels),
    ]),
  );
  return path;
}

/** A float32 NIfTI-1 volume of 16×16×4 voxels, a ramp, with `poison` written over some voxels of slice 2. */
function niftiWith(name: string, poison: number): string {
  const header = niftiInt16Header(16, 16, 4);
  header.writeInt16LE(16, 70); // datatype FLOAT32
  header.writeInt16LE(32, 72); // bitpix
  const voxels = new Float32Array(16 * 16 * 4).map((_, i) => i % 97);
  for (let i = 0; i < 5; i++) voxels[2 * 256 + 40 + i] = poison;
  const path = join(tmp, name);
  writeFileSync(path, Buffer.concat([header, Buffer.from(voxels.buffer)]));
  return path;
}

async function classifyOne(model: LoadedModel, file: string): Promise<ClassifyResult> {
  const inputs = await classifyInputs([file], DEFAULT_LIMITS);
  const rows: ClassifyResult[] = [];
  for await (const row of classifyJob(model, inputs)) rows.push(row);
  assert.equal(rows.length, 1);
  return rows[0]!;
}

test('a DICOM whose RescaleSlope overflows float32 is an error row naming the rescale, not probabilities of null', async () => {
  const model = await demo();
  const row = await classifyOne(model, dicomWithSlope('slope-1e308.dcm', '1e308'));
  const error = rowError(row);
  assert.ok(error !== undefined, `classified: ${JSON.stringify(row)}`);
  assert.match(error, /slope-1e308\.dcm: has \d+ of 1024 values that are NaN or infinite in float32 \(rescale slope 1e\+308, intercept 0\)/);
  // A large but representable slope still classifies.
  const fine = await classifyOne(model, dicomWithSlope('slope-1e3.dcm', '1000'));
  assert.equal(rowError(fine), undefined);
});

for (const [what, poison] of [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
] as const) {
  test(`a NIfTI with ${what} voxels is an error row naming the slice, not peaks of -Infinity at slice -1`, async () => {
    const model = await demo();
    const row = await classifyOne(model, niftiWith(`poison-${what}.nii`, poison));
    const error = rowError(row);
    assert.ok(error !== undefined, `classified: ${JSON.stringify(row)}`);
    assert.match(error, new RegExp(`poison-${what}\\.nii: slice index 2 has 5 of 256 values that are NaN or infinite`));
  });
}

test('a model output that is NaN or infinite is refused, whatever the output type', async () => {
  const model = await demo();
  const labels = model.manifest.labels;
  const nan = new Float32Array(labels.length).fill(0.1);
  nan[1] = Number.NaN;
  assert.throws(() => toRow(model, 'scan.png', nan, 3), new RegExp(`scan\\.png: model output for '${labels[1]}' is not finite \\(NaN\\)`));
  // One infinite logit makes every softmax value NaN (Infinity − Infinity): refused too.
  const inf = new Float32Array(labels.length);
  inf[2] = Number.POSITIVE_INFINITY;
  assert.throws(() => toRow(model, 'scan.png', inf, 3), /is not finite \(Infinity\)/);
  const fine = toRow(model, 'scan.png', new Float32Array(labels.length), 3);
  assert.ok(fine.probabilities!.every(Number.isFinite));
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { niftiOrientation, writeNifti, writeScanNifti } from '../../../src/core/scan/niftiWriter';
import { loadScan } from '../../../src/core/scan/loadScan';
import { niftiAffine, readNiftiGeometry } from '../../../src/core/scan/niftiAffine';
import { fixture } from '../../helpers/paths';

// nibabel's header for a float32 map carrying volume.nii.gz's header, and its qform of that affine and of a reflected one (scripts/reference/make_3d_inverse_reference.py).
const reference = JSON.parse(readFileSync(fixture('volume3d', 'inverse.json'), 'utf8')) as {
  header: Record<string, number | number[] | string>;
  bestAffine: number[][];
  qforms: { affine: number[][]; quatern: number[]; qoffset: number[]; pixdim: number[] }[];
};
const VOLUME = fixture('volume3d', 'volume.nii.gz');
const work = mkdtempSync(join(tmpdir(), 'scanlens-nifti-writer-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The NIfTI-1 header fields nibabel reports, read at their offsets (little endian), independently of the decoder. */
function headerFields(bytes: Uint8Array): Record<string, number | number[] | string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f32 = (at: number, n: number): number[] => Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i, true));
  return {
    sizeof_hdr: view.getInt32(0, true),
    dim: Array.from({ length: 8 }, (_, i) => view.getInt16(40 + 2 * i, true)),
    datatype: view.getInt16(70, true),
    bitpix: view.getInt16(72, true),
    pixdim: f32(76, 8),
    vox_offset: view.getFloat32(108, true),
    qform_code: view.getInt16(252, true),
    sform_code: view.getInt16(254, true),
    quatern_b: view.getFloat32(256, true),
    quatern_c: view.getFloat32(260, true),
    quatern_d: view.getFloat32(264, true),
    qoffset_x: view.getFloat32(268, true),
    qoffset_y: view.getFloat32(272, true),
    qoffset_z: view.getFloat32(276, true),
    srow_x: f32(280, 4),
    srow_y: f32(296, 4),
    srow_z: f32(312, 4),
    xyzt_units: view.getUint8(123),
    magic: String.fromCharCode(...bytes.subarray(344, 347)),
  };
}

test('a map of a NIfTI scan, written .nii.gz, has the header nibabel writes for it (orientation copied field for field) and reads back as the same voxels on the same affine', async () => {
  const scan = await loadScan(VOLUME);
  const [nz, ny, nx] = scan.shape;
  const data = Float32Array.from({ length: nx * ny * nz }, (_, i) => Math.sin(i / 97) * 3.5);
  data[5] = NaN;
  const out = join(work, 'map.nii.gz');
  await writeNifti(out, { dims: [nx, ny, nz], data }, await niftiOrientation(scan));
  const bytes = gunzipSync(readFileSync(out));
  assert.equal(bytes.length, 352 + 4 * data.length);
  assert.deepEqual(headerFields(bytes), reference.header);
  const back = await loadScan(out);
  assert.deepEqual(back.shape, scan.shape);
  back.affine!.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - reference.bestAffine[r]![c]!) < 1e-6, `affine[${r}][${c}]`)));
  assert.deepEqual(Array.from(back.voxels as Float32Array), Array.from(data));
});

test('a map of a volume with no NIfTI header (a DICOM series) carries its affine as sform and as the qform nibabel makes of it, reflections included', async () => {
  const scan = await loadScan(VOLUME);
  for (const expected of reference.qforms) {
    const orientation = await niftiOrientation({ ...scan, format: 'dicom', affine: expected.affine });
    assert.equal(orientation.qformCode, 1);
    assert.equal(orientation.sformCode, 1);
    assert.equal(orientation.pixdim[0], expected.pixdim[0]);
    [...orientation.quatern, ...orientation.qoffset, ...orientation.pixdim.slice(1)].forEach((v, i) => {
      const want = [...expected.quatern, ...expected.qoffset, ...expected.pixdim.slice(1)][i]!;
      assert.ok(Math.abs(v - want) < 1e-6, `field ${i}: ${v} vs nibabel ${want}`);
    });
    const out = join(work, `dicom-${expected.pixdim[0]}.nii`);
    const [nz, ny, nx] = scan.shape;
    await writeNifti(out, { dims: [nx, ny, nz], data: new Float32Array(nx * ny * nz) }, orientation);
    const bytes = readFileSync(out);
    const geometry = readNiftiGeometry(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 1, true, [nx, ny, nz]);
    // The qform alone (as a viewer that ignores the sform sees it) is the scan's affine.
    const qformOnly = niftiAffine({ ...geometry, sformCode: 0 });
    qformOnly.slice(0, 3).forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - expected.affine[r]![c]!) < 1e-5, `qform affine[${r}][${c}] ${v} vs ${expected.affine[r]![c]}`)));
  }
});

test('a wrong extension, data that does not fill the volume or a dimension NIfTI-1 cannot hold is one line naming the file, and nothing is written', async () => {
  const scan = await loadScan(VOLUME);
  const orientation = await niftiOrientation(scan);
  const cases: [string, Parameters<typeof writeNifti>[1], RegExp][] = [
    ['map.png', { dims: [2, 2, 2], data: new Float32Array(8) }, /map\.png: a NIfTI map is written as \.nii or \.nii\.gz$/],
    ['short.nii', { dims: [2, 2, 2], data: new Float32Array(7) }, /short\.nii: 7 values do not fill 2×2×2 voxels$/],
    ['wide.nii', { dims: [40000, 1, 1], data: new Float32Array(40000) }, /wide\.nii: cannot write 40000×1×1 voxels as NIfTI-1/],
  ];
  for (const [name, volume, message] of cases) {
    await assert.rejects(writeNifti(join(work, name), volume, orientation), (error: Error) => message.test(error.message) && !error.message.includes('\n'));
    assert.throws(() => statSync(join(work, name)), /ENOENT/);
  }
});

test('the orientation of a NIfTI scan whose file changed since it was read is refused by name', async () => {
  const scan = await loadScan(VOLUME);
  await assert.rejects(niftiOrientation({ ...scan, shape: [5, 5, 5] }), /volume\.nii\.gz: its header now says 30×26×18 voxels, not the 5×5×5 read: the file changed$/);
});

test('maps of NIfTI-2 (sheared sform, code 2), big-endian, qform-only and 4D files are written as NIfTI-1 that reads back on the scan’s own affine with its codes', async () => {
  for (const name of ['nifti2.nii.gz', 'big-endian.nii', 'scaled-qform.nii.gz', 'four-d.nii.gz']) {
    const scan = await loadScan(fixture('nifti', name));
    const [nz, ny, nx] = scan.shape;
    const out = join(work, `${name}-map.nii`);
    await writeScanNifti(
      out,
      scan,
      Float32Array.from({ length: nx * ny * nz }, (_, i) => i),
    );
    const back = await loadScan(out);
    assert.deepEqual(back.shape, scan.shape, name);
    assert.equal(back.metadata.sformCode, scan.metadata.sformCode, name);
    assert.equal(back.metadata.qformCode, scan.metadata.qformCode, name);
    // float32 header fields: NIfTI-2 stores float64.
    back.affine!.forEach((row, r) =>
      row.forEach((v, c) => assert.ok(Math.abs(v - scan.affine![r]![c]!) <= 1e-5 * Math.max(1, Math.abs(v)), `${name}: affine[${r}][${c}] ${v} vs ${scan.affine![r]![c]}`)),
    );
  }
});

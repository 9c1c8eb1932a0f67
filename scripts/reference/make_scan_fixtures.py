"""Writes small DICOM and NIfTI fixtures with pydicom and nibabel, plus their reference values.

Run with Debian's Python: /usr/bin/python3 scripts/reference/make_scan_fixtures.py
Outputs (committed; tests never need Python):
  test/fixtures/nifti/*.nii[.gz] and nifti-reference.json
  test/fixtures/dicom/** and dicom-reference.json
  test/fixtures/public-reference.json: reference values for pydicom's and nibabel's
  own public test files, keyed by the file's sha256 (the files themselves are not copied).
Patient data in the DICOM fixtures is fake (DOE^JANE, PAT-12345, 19700101) so that
the privacy tests have something to catch.
"""
import copy
import glob
import hashlib
import json
import os
import warnings

import nibabel as nib
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures')
NIFTI_DIR = os.path.join(ROOT, 'nifti')
DICOM_DIR = os.path.join(ROOT, 'dicom')


def sha256_file(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def le_bytes(array):
    """Values in little-endian byte order, the layout ScanLens keeps in memory."""
    return np.ascontiguousarray(array.astype(array.dtype.newbyteorder('<'), copy=False)).tobytes()


def sha256_values(array):
    return hashlib.sha256(le_bytes(array)).hexdigest()


def stats(values):
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    return {'min': float(values.min()), 'max': float(values.max()), 'mean': float(values.mean()), 'std': float(values.std())}


# ---------------------------------------------------------------- NIfTI

def nifti_volume_reference(img, volume=0):
    """Stored values of one volume in ScanLens order (x fastest), and stats after scl_slope/inter."""
    raw = np.asanyarray(img.dataobj.get_unscaled())
    scaled = img.get_fdata(dtype=np.float64) if raw.dtype.kind != 'V' else None
    if raw.ndim > 3:
        raw = raw.reshape(raw.shape[:3] + (-1,), order='F')[..., volume]
        if scaled is not None:
            scaled = scaled.reshape(scaled.shape[:3] + (-1,), order='F')[..., volume]
    while raw.ndim < 3:
        raw = raw[..., np.newaxis]
    flat = raw.transpose(2, 1, 0).reshape(-1)  # z, y, x order; x fastest
    entry = {
        'shape': [int(raw.shape[2]), int(raw.shape[1]), int(raw.shape[0])],
        'sha256': sha256_values(flat),
        'affine': [[float(v) for v in row] for row in img.affine],
    }
    if scaled is not None:
        entry['stats'] = stats(scaled)
    return entry, flat


def write_nifti():
    os.makedirs(NIFTI_DIR, exist_ok=True)
    rng = np.random.default_rng(11)
    shape = (5, 4, 3)
    reference = {}
    types = {
        'uint8': (0, 255), 'int8': (-128, 127), 'int16': (-32768, 32767), 'uint16': (0, 65535),
        'int32': (-2**31, 2**31 - 1), 'uint32': (0, 2**32 - 1), 'float32': None, 'float64': None,
    }
    for name, bounds in types.items():
        if bounds is None:
            data = rng.normal(0, 1000, size=shape).astype(name)
        else:
            data = rng.integers(bounds[0], bounds[1], size=shape, endpoint=True, dtype=np.int64).astype(name)
            data.flat[0], data.flat[1] = bounds
        img = nib.Nifti1Image(data, np.diag([0.9, 1.1, 2.5, 1]))
        img.header.set_data_dtype(name)
        img.header.set_slope_inter(1, 0)
        write_nifti_case(reference, f'dtype-{name}.nii', img)
    # Scaling, orientation, 4D, compression, byte order, NIfTI-2.
    data = rng.integers(-500, 3000, size=shape).astype(np.int16)
    img = nib.Nifti1Image(data, None)
    img.header.set_slope_inter(0.5, -1024)
    qaffine = np.array([[0, 0, 2.5, -10], [-0.9, 0, 0, 20], [0, 1.1, 0, -30], [0, 0, 0, 1]])
    img.set_qform(qaffine, code=1)
    img.set_sform(None, code=0)
    write_nifti_case(reference, 'scaled-qform.nii.gz', img)
    saffine = np.array([[-1, 0.1, 0, 90], [0.05, 1.2, 0.2, -126], [0, -0.1, 3, -72], [0, 0, 0, 1]])
    img4 = nib.Nifti1Image(rng.integers(0, 1000, size=shape + (3,)).astype(np.uint16), saffine)
    img4.header.set_slope_inter(1, 0)
    write_nifti_case(reference, 'four-d.nii.gz', img4, volumes=[0, 2])
    big = nib.Nifti1Image(data.astype('>i2'), saffine)
    big.header.set_data_dtype('>i2')
    big.header.set_slope_inter(2, 5)
    write_nifti_case(reference, 'big-endian.nii', big)
    two = nib.Nifti2Image(rng.normal(10, 3, size=shape).astype(np.float32), saffine)
    write_nifti_case(reference, 'nifti2.nii.gz', two)
    # A real head shape for reslicing: RAS+ volume with distinct extents per axis.
    head = np.zeros((6, 7, 8), dtype=np.int16)
    head[...] = np.arange(6)[:, None, None] * 100 + np.arange(7)[None, :, None] * 10 + np.arange(8)[None, None, :]
    img = nib.Nifti1Image(head.astype(np.int16), np.diag([1, 1, 1, 1]))
    write_nifti_case(reference, 'ras-grid.nii', img)
    with open(os.path.join(NIFTI_DIR, 'nifti-reference.json'), 'w') as f:
        json.dump(reference, f, indent=1, sort_keys=True)


def write_nifti_case(reference, name, img, volumes=(0,)):
    path = os.path.join(NIFTI_DIR, name)
    nib.save(img, path)
    loaded = nib.load(path)
    cases = {}
    for volume in volumes:
        entry, flat = nifti_volume_reference(loaded, volume)
        if flat.size <= 512:
            entry['values'] = [float(v) for v in flat]
        cases[str(volume)] = entry
    # nibabel moves scl_slope/inter from the header to the data proxy on load.
    slope, inter = float(loaded.dataobj.slope), float(loaded.dataobj.inter)
    if np.isnan(slope) or slope == 0:
        slope, inter = None, None
    reference[name] = {
        'datatype': str(loaded.get_data_dtype().newbyteorder('=')),
        'dims': [int(d) for d in loaded.shape],
        'slope': None if slope is None else float(slope),
        'inter': None if inter is None else float(inter),
        'zooms': [float(z) for z in loaded.header.get_zooms()[:3]],
        'volumes': cases,
    }


def nibabel_public_reference():
    folder = os.path.join(os.path.dirname(nib.__file__), 'tests', 'data')
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, '*.nii')) + glob.glob(os.path.join(folder, '*.nii.gz'))):
        try:
            img = nib.load(path)
            if len(img.shape) > 4 or img.get_data_dtype().kind in 'cV':
                continue
            entry, _ = nifti_volume_reference(img)
        except Exception as error:  # noqa: BLE001 - files nibabel itself cannot read are left out
            print('nibabel cannot read', path, error)
            continue
        entry['name'] = os.path.basename(path)
        out[sha256_file(path)] = entry
    return out


# ---------------------------------------------------------------- DICOM

JPEG_YBR_SYNTAXES = ('1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51')


def monochrome1_as_monochrome2(arr, ds):
    """MONOCHROME1 values inverted within the range BitsStored can hold (the data range past 16 bits)."""
    if int(ds.BitsAllocated) > 16:
        low, high = int(arr.min()), int(arr.max())
    elif int(getattr(ds, 'PixelRepresentation', 0)) == 1:
        low, high = -2 ** (int(ds.BitsStored) - 1), 2 ** (int(ds.BitsStored) - 1) - 1
    else:
        low, high = 0, 2 ** int(ds.BitsStored) - 1
    return (low + high - np.clip(arr.astype(np.int64), low, high)).astype(arr.dtype)


def dicom_reference(ds):
    """Stored values exactly as pydicom decodes them, and stats after the modality LUT.

    YBR_FULL / YBR_FULL_422, and lossy JPEG in any YBR: pydicom hands back YBR samples,
    ScanLens RGB; 'rgb' holds pydicom's own YBR_FULL -> RGB conversion of its samples.
    MONOCHROME1: ScanLens shows it as MONOCHROME2; 'monochrome2' holds pydicom's
    stored values inverted within their range, and stats after the modality LUT.
    """
    from pydicom.pixel_data_handlers.util import apply_modality_lut, convert_color_space
    arr = ds.pixel_array
    frames = int(getattr(ds, 'NumberOfFrames', 1) or 1)
    samples = int(getattr(ds, 'SamplesPerPixel', 1))
    photometric = str(ds.PhotometricInterpretation)
    shape = [frames, int(ds.Rows), int(ds.Columns)]
    entry = {'shape': shape, 'channels': samples, 'dtype': str(arr.dtype), 'sha256': sha256_values(arr),
             'transferSyntax': str(ds.file_meta.TransferSyntaxUID) if 'TransferSyntaxUID' in getattr(ds, 'file_meta', {}) else None}
    entry['stats'] = stats(apply_modality_lut(arr, ds) if samples == 1 else arr)
    jpeg_ybr = entry['transferSyntax'] in JPEG_YBR_SYNTAXES and photometric.startswith('YBR')
    if samples == 3 and (jpeg_ybr or photometric in ('YBR_FULL', 'YBR_FULL_422')):
        rgb = convert_color_space(arr, 'YBR_FULL', 'RGB')
        entry['rgb'] = {'sha256': sha256_values(rgb), 'stats': stats(rgb)}
    if samples == 1 and photometric == 'MONOCHROME1':
        shown = monochrome1_as_monochrome2(arr, ds)
        entry['monochrome2'] = {'sha256': sha256_values(shown), 'stats': stats(apply_modality_lut(shown, ds))}
    return entry


def fake_patient(ds):
    ds.PatientName = 'DOE^JANE'
    ds.PatientID = 'PAT-12345'
    ds.PatientBirthDate = '19700101'
    ds.InstitutionName = 'General Hospital of Somewhere'
    ds.ReferringPhysicianName = 'HOUSE^GREGORY'


def mr_small():
    from pydicom.data import get_testdata_file
    import pydicom
    return pydicom.dcmread(get_testdata_file('MR_small.dcm'))


def write_dicom():
    import pydicom
    from pydicom.uid import ExplicitVRBigEndian, ImplicitVRLittleEndian, RLELossless, generate_uid, DeflatedExplicitVRLittleEndian
    os.makedirs(DICOM_DIR, exist_ok=True)
    reference = {}

    def save(ds, name, **kwargs):
        path = os.path.join(DICOM_DIR, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        ds.save_as(path, write_like_original=False, **kwargs)
        reference[name] = dicom_reference(pydicom.dcmread(path))

    base = mr_small()
    fake_patient(base)
    base.RescaleSlope = 2
    base.RescaleIntercept = -1024
    base.WindowCenter = [40, 400]
    base.WindowWidth = [80, 2000]
    base.WindowCenterWidthExplanation = ['BRAIN', 'BONE']
    save(base, 'mr-explicit-le.dcm')
    implicit = copy.deepcopy(base)
    implicit.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    implicit.is_implicit_VR, implicit.is_little_endian = True, True
    save(implicit, 'mr-implicit-le.dcm')
    big = copy.deepcopy(base)
    big.file_meta.TransferSyntaxUID = ExplicitVRBigEndian
    big.is_implicit_VR, big.is_little_endian = False, False
    big.PixelData = big.pixel_array.astype('>i2').tobytes()
    save(big, 'mr-explicit-be.dcm')
    deflated = copy.deepcopy(base)
    deflated.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    save(deflated, 'mr-deflated.dcm')
    rle = copy.deepcopy(base)
    rle.compress(RLELossless, encoding_plugin='pydicom')
    save(rle, 'mr-rle.dcm')
    # MONOCHROME1, unsigned 8-bit, multi-frame RGB (planar), YBR_FULL
    mono1 = copy.deepcopy(base)
    mono1.PhotometricInterpretation = 'MONOCHROME1'
    mono1.PixelRepresentation = 0
    mono1.PixelData = (base.pixel_array.astype(np.int32) + 32768).astype(np.uint16).tobytes()
    save(mono1, 'mr-monochrome1-unsigned.dcm')
    rng = np.random.default_rng(5)
    rgb = copy.deepcopy(base)
    del rgb.RescaleSlope, rgb.RescaleIntercept, rgb.WindowCenter, rgb.WindowWidth, rgb.WindowCenterWidthExplanation
    planes = rng.integers(0, 256, size=(2, 3, 6, 5), dtype=np.uint8)  # frames, samples, rows, cols
    rgb.Rows, rgb.Columns, rgb.SamplesPerPixel, rgb.PhotometricInterpretation = 6, 5, 3, 'RGB'
    rgb.BitsAllocated, rgb.BitsStored, rgb.HighBit, rgb.PixelRepresentation, rgb.PlanarConfiguration = 8, 8, 7, 0, 1
    rgb.NumberOfFrames = 2
    rgb.PixelData = planes.tobytes()
    save(rgb, 'rgb-planar-2frame.dcm')
    # A three-slice series in a folder, files named against their order, plus a second series.
    series_uid = generate_uid(prefix=None, entropy_srcs=['scanlens-series-a'])
    for index, z in enumerate([10.0, -5.0, 2.5]):
        ds = copy.deepcopy(base)
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = generate_uid(prefix=None, entropy_srcs=[f'a-{index}'])
        ds.InstanceNumber = index + 1
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [-100, -120, z]
        ds.SliceThickness = 2.5
        arr = base.pixel_array.copy() + int(z * 10)
        ds.PixelData = arr.astype('<i2').tobytes()
        save(ds, f'series/slice-{index}.dcm')
    other = copy.deepcopy(base)
    other.SeriesInstanceUID = generate_uid(prefix=None, entropy_srcs=['scanlens-series-b'])
    save(other, 'series/other-series.dcm')
    rgb_small = copy.deepcopy(rgb)
    rgb_small.NumberOfFrames = 1
    rgb_small.PlanarConfiguration = 0
    rgb_small.Rows, rgb_small.Columns = 16, 16
    yy, xx = np.mgrid[0:16, 0:16]
    rgb_small.PixelData = np.stack([xx * 16, yy * 16, (xx + yy) * 8], axis=-1).astype(np.uint8).tobytes()
    save(rgb_small, 'rgb-16x16.dcm')
    write_compressed(reference, 'mr-explicit-le.dcm', 'mr', lossless=True)
    write_compressed(reference, 'rgb-16x16.dcm', 'rgb', lossless=False)
    with open(os.path.join(DICOM_DIR, 'dicom-reference.json'), 'w') as f:
        json.dump(reference, f, indent=1, sort_keys=True)


COMPRESSED = {
    # gdcm syntax name -> fixture suffix; every one but JPEG baseline/extended is lossless here.
    'JPEGLosslessProcess14_1': 'jpeg-lossless-sv1', 'JPEGLosslessProcess14': 'jpeg-lossless',
    'JPEGLSLossless': 'jpegls', 'JPEGLSNearLossless': 'jpegls-near',
    'JPEG2000Lossless': 'j2k-lossless', 'JPEG2000': 'j2k',
    'JPEGBaselineProcess1': 'jpeg-baseline', 'JPEGExtendedProcess2_4': 'jpeg-extended',
}
# Written to be refused: ScanLens has no exact decoder for lossy JPEG wider than 8 bits, and
# GDCM labels its colour JPEG RGB although libjpeg stored YCbCr (GDCM warns about it on reading).
REFUSED = ('mr-jpeg-extended.dcm', 'rgb-jpeg-labelled-rgb.dcm')


def write_compressed(reference, source, prefix, lossless):
    """Re-encodes a fixture with GDCM (pydicom 2.3 cannot write these); pydicom+GDCM give the reference."""
    import gdcm
    import pydicom
    original = pydicom.dcmread(os.path.join(DICOM_DIR, source)).pixel_array
    for syntax, suffix in COMPRESSED.items():
        name = f'{prefix}-{suffix}.dcm'
        reader = gdcm.ImageReader()
        reader.SetFileName(os.path.join(DICOM_DIR, source))
        assert reader.Read()
        change = gdcm.ImageChangeTransferSyntax()
        change.SetTransferSyntax(gdcm.TransferSyntax(getattr(gdcm.TransferSyntax, syntax)))
        change.SetInput(reader.GetImage())
        if not change.Change():
            print('gdcm cannot write', name)
            continue
        writer = gdcm.ImageWriter()
        writer.SetFileName(os.path.join(DICOM_DIR, name))
        writer.SetFile(reader.GetFile())
        writer.SetImage(change.GetOutput())
        assert writer.Write()
        if name in REFUSED:
            continue
        ds = pydicom.dcmread(os.path.join(DICOM_DIR, name))
        if prefix == 'rgb' and suffix in ('jpeg-baseline', 'jpeg-extended'):
            if suffix == 'jpeg-baseline':
                ds.save_as(os.path.join(DICOM_DIR, 'rgb-jpeg-labelled-rgb.dcm'))
            # libjpeg converted to YCbCr while encoding; say so, as a conforming writer would.
            ds.PhotometricInterpretation = 'YBR_FULL'
            ds.save_as(os.path.join(DICOM_DIR, name))
            ds = pydicom.dcmread(os.path.join(DICOM_DIR, name))
        if lossless or not suffix.startswith('jpeg-'):
            assert np.array_equal(ds.pixel_array, original), f'{name} is not lossless'
        reference[name] = dicom_reference(ds)


def pydicom_public_reference():
    import pydicom
    folder = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files')
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, '*.dcm'))):
        name = os.path.basename(path)
        try:
            ds = pydicom.dcmread(path, force=True)
            if 'TransferSyntaxUID' not in ds.file_meta:
                # No file meta: the transfer syntax is how pydicom found the data set written.
                ds.file_meta.TransferSyntaxUID = (pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR
                                                  else pydicom.uid.ExplicitVRLittleEndian if ds.is_little_endian
                                                  else pydicom.uid.ExplicitVRBigEndian)
            if 'PixelData' not in ds:
                continue
            entry = dicom_reference(ds)
        except Exception as error:  # noqa: BLE001 - files pydicom cannot decode here have no reference
            out[sha256_file(path)] = {'name': name, 'undecodable': str(error).split('\n')[0][:200]}
            continue
        entry['name'] = name
        out[sha256_file(path)] = entry
    return out


if __name__ == '__main__':
    warnings.simplefilter('ignore')
    write_nifti()
    write_dicom()
    public = {'nibabel': nibabel_public_reference(), 'pydicom': pydicom_public_reference()}
    with open(os.path.join(ROOT, 'public-reference.json'), 'w') as f:
        json.dump(public, f, indent=1, sort_keys=True)

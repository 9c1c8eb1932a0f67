"""Writes small MONOCHROME1 and YBR_FULL(_422) DICOM fixtures with pydicom, plus their reference values.

Run with Debian's Python: /usr/bin/python3 scripts/reference/make_photometric_fixtures.py
Outputs (committed; tests never need Python): test/fixtures/dicom/photometric/*.dcm and reference.json.

MONOCHROME1: each file has a MONOCHROME2 twin holding the same picture (stored values
inverted within BitsStored, window centre moved accordingly). The script checks with
pydicom that a viewer shows both the same (VOI LUT, then MONOCHROME1 inverted), so the
tests can ask ScanLens to decode the pair to identical scans.
YBR: pydicom's convert_color_space gives the RGB ScanLens must show; the YBR samples
include every input where float32 rounding order changes pydicom's result.
No patient data: these are secondary captures of made-up values.
"""
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
from pydicom.uid import ExplicitVRLittleEndian, RLELossless, SecondaryCaptureImageStorage, generate_uid

sys.path.insert(0, os.path.dirname(__file__))
from make_scan_fixtures import dicom_reference  # noqa: E402 - one definition of the reference values

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'dicom', 'photometric')
# (Y, Cb, Cr) whose green differs by one if the float32 products are rounded before summing.
FMA_SENSITIVE = [(y, 178, 78) for y in range(14)] + [(y, 78, 178) for y in range(19, 47)]


def image(name, rows, columns, photometric, bits, signed=False, samples=1, frames=1):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=['scanlens-photometric', name])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = 'OT'
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=['scanlens-photometric-series', name])
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = rows, columns, samples, photometric
    ds.BitsAllocated = 8 if bits <= 8 else 16
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits - 1, int(signed)
    if samples == 3:
        ds.PlanarConfiguration = 0
    if frames > 1:
        ds.NumberOfFrames = frames
    return ds


def save(reference, ds, name):
    path = os.path.join(OUT, name)
    ds.save_as(path, write_like_original=False)
    reference[name] = dicom_reference(pydicom.dcmread(path))
    return pydicom.dcmread(path)


def viewer_picture(ds):
    """What a viewer shows: modality LUT, VOI LUT (else the data range), MONOCHROME1 inverted, as 0..1."""
    values = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
    if 'WindowCenter' in ds:
        shown = apply_voi_lut(values, ds)
        bits = int(ds.BitsStored)
        low, high = (-2 ** (bits - 1), 2 ** (bits - 1) - 1) if ds.PixelRepresentation == 1 else (0, 2 ** bits - 1)
        slope, intercept = float(ds.get('RescaleSlope', 1)), float(ds.get('RescaleIntercept', 0))
        low, high = low * slope + intercept, high * slope + intercept
    else:
        shown, low, high = values, float(values.min()), float(values.max())
    picture = (shown - low) / (high - low)
    return 1 - picture if ds.PhotometricInterpretation == 'MONOCHROME1' else picture


def monochrome_pair(reference, name, stored, bits, signed, rescale=None, window=None):
    """A MONOCHROME2 image and the same picture written as MONOCHROME1."""
    rows, columns = stored.shape
    low, high = (-2 ** (bits - 1), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    slope, intercept = rescale or (1, 0)
    total = (low * slope + intercept) + (high * slope + intercept)  # min + max of the modality range
    written = {}
    for photometric, values in (('MONOCHROME2', stored), ('MONOCHROME1', low + high - stored.astype(np.int64))):
        ds = image(f'{name}-{photometric}', rows, columns, photometric, bits, signed)
        if rescale:
            ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        if window:
            centre, width = window
            ds.WindowCenter, ds.WindowWidth = (centre if photometric == 'MONOCHROME2' else total - centre), width
            # ScanLens windows are centre ± width/2, which is LINEAR_EXACT; LINEAR centres on centre - 0.5.
            ds.VOILUTFunction = 'LINEAR_EXACT'
        dtype = ('<i2' if signed else '<u2') if bits > 8 else ('i1' if signed else 'u1')
        ds.PixelData = values.astype(dtype).tobytes()
        written[photometric] = save(reference, ds, f'{name}-{photometric.lower()}.dcm')
    difference = np.abs(viewer_picture(written['MONOCHROME1']) - viewer_picture(written['MONOCHROME2'])).max()
    assert difference < 1e-12, f'{name}: pydicom shows pictures {difference} apart'


def ybr_full(reference, name, planar, frames, rle=False):
    rng = np.random.default_rng(len(name) + 31 * planar + frames)
    rows, columns = 8, 12
    ybr = rng.integers(0, 256, size=(frames, rows * columns, 3), dtype=np.uint8)
    ybr[0, :len(FMA_SENSITIVE)] = FMA_SENSITIVE
    ybr[0, len(FMA_SENSITIVE):len(FMA_SENSITIVE) + 4] = [(0, 0, 0), (255, 255, 255), (10, 253, 128), (0, 128, 255)]
    ds = image(name, rows, columns, 'YBR_FULL', 8, samples=3, frames=frames)
    ds.PlanarConfiguration = planar
    pixels = ybr.reshape(frames, rows, columns, 3)
    ds.PixelData = (pixels.transpose(0, 3, 1, 2) if planar else pixels).tobytes()
    if rle:
        ds.compress(RLELossless, encoding_plugin='pydicom')
    save(reference, ds, f'{name}.dcm')


def ybr_full_422(reference, name, frames):
    rng = np.random.default_rng(422 + frames)
    rows, columns = 6, 10
    ds = image(name, rows, columns, 'YBR_FULL_422', 8, samples=3, frames=frames)
    # Two Y, then the pair's Cb and Cr (PS3.3 C.7.6.3.1.2); planar configuration is always 0.
    ds.PixelData = rng.integers(0, 256, size=frames * rows * columns * 2, dtype=np.uint8).tobytes()
    save(reference, ds, f'{name}.dcm')


def main():
    warnings.simplefilter('ignore')
    os.makedirs(OUT, exist_ok=True)
    reference = {}
    rng = np.random.default_rng(1)
    twelve = rng.integers(0, 4096, size=(16, 16))
    twelve[0, :2] = [0, 4095]
    monochrome_pair(reference, 'mono-12bit', twelve, 12, False, rescale=(2, -1024), window=(1000, 2000))
    monochrome_pair(reference, 'mono-8bit', np.add.outer(np.arange(16), np.arange(16)) * 8, 8, False)
    signed = rng.integers(-32768, 32768, size=(16, 16))
    signed[0, :2] = [-32768, 32767]
    monochrome_pair(reference, 'mono-signed', signed, 16, True, window=(100, 30000))
    ybr_full(reference, 'ybr-full', planar=0, frames=1)
    ybr_full(reference, 'ybr-full-planar', planar=1, frames=2)
    ybr_full(reference, 'ybr-full-rle', planar=0, frames=1, rle=True)
    ybr_full_422(reference, 'ybr-full-422', frames=2)
    wide = image('ybr-full-16bit', 4, 4, 'YBR_FULL', 16, samples=3)
    wide.PixelData = np.full(4 * 4 * 3, 300, dtype='<u2').tobytes()
    wide.save_as(os.path.join(OUT, 'ybr-full-16bit.dcm'), write_like_original=False)
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()

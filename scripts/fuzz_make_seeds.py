"""Writes the crafted fuzz seeds in test/fixtures/fuzz-seeds/ (dicom/ and raster/).

Run with Debian's Python: /usr/bin/python3 scripts/fuzz_make_seeds.py
The outputs are committed; the fuzzer (test/fuzz/) never needs Python. The
seeds reach parser states the ordinary fixtures do not: nested and
undefined-length sequences, private tags, value multiplicities that disagree,
multi-frame 8-bit data, and raster encodings (baseline JPEG, lossless WebP,
LZW TIFF, palette PNG). Patient data is the same fake patient as the fixtures.
"""
import os

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, MRImageStorage, generate_uid

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'fuzz-seeds')


def base(rows, cols, syntax):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=['scanlens-fuzz', str(rows), str(cols), syntax])
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = 'MR'
    ds.PatientName = 'DOE^JANE'
    ds.PatientID = 'PAT-12345'
    ds.PatientBirthDate = '19700101'
    ds.InstitutionName = 'General Hospital of Somewhere'
    ds.ReferringPhysicianName = 'HOUSE^GREGORY'
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    return ds


def save(ds, name):
    os.makedirs(os.path.join(OUT, 'dicom'), exist_ok=True)
    ds.is_little_endian = True
    ds.is_implicit_VR = ds.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    ds.save_as(os.path.join(OUT, 'dicom', name), write_like_original=False)


def sequences():
    ds = base(6, 5, ExplicitVRLittleEndian)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    item = Dataset()
    item.ReferencedSOPClassUID = MRImageStorage
    item.ReferencedSOPInstanceUID = '1.2.3.4.5'
    inner = Dataset()
    inner.CodeValue, inner.CodingSchemeDesignator, inner.CodeMeaning = 'T-A0100', 'SRT', 'Brain'
    item.AnatomicRegionSequence = Sequence([inner])
    ds.ReferencedImageSequence = Sequence([item, Dataset()])
    ds.add_new(0x00091010, 'LO', 'private creator')
    ds.add_new(0x00091011, 'OB', bytes(range(16)))
    ds.ImagePositionPatient = [-10, -12, 3]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.5, 0.25]
    ds.PixelData = (np.arange(30, dtype=np.uint16) * 131 % 4096).tobytes()
    # Undefined lengths for every sequence, as many scanners write them.
    ds.ReferencedImageSequence.is_undefined_length = True
    save(ds, 'sequences-undefined-length.dcm')


def disagreeing_multiplicity():
    """Two windows but one explanation: legal-looking, and a known crash path (test/fuzz/knownFindings.ts)."""
    ds = base(4, 4, ExplicitVRLittleEndian)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.WindowCenter = [40, 400]
    ds.WindowWidth = [80, 2000]
    ds.WindowCenterWidthExplanation = 'BRAIN'
    ds.RescaleSlope, ds.RescaleIntercept = 2, -1024
    ds.PixelData = (np.arange(16, dtype=np.int16) * 97 - 500).tobytes()
    save(ds, 'window-explanation-short.dcm')


def multiframe_implicit():
    ds = base(5, 4, ImplicitVRLittleEndian)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.NumberOfFrames = 3
    ds.PixelData = (np.arange(60, dtype=np.uint8) * 37 % 256).astype(np.uint8).tobytes()
    save(ds, 'multiframe-implicit-8bit.dcm')


def rasters():
    folder = os.path.join(OUT, 'raster')
    os.makedirs(folder, exist_ok=True)
    grey = (np.arange(24 * 16, dtype=np.uint32) * 37 % 256).astype(np.uint8).reshape(16, 24)
    Image.fromarray(grey, mode='L').save(os.path.join(folder, 'grey.jpg'), quality=80)
    Image.fromarray(grey, mode='L').save(os.path.join(folder, 'grey-lossless.webp'), lossless=True)
    Image.fromarray(grey, mode='L').save(os.path.join(folder, 'grey-lzw.tif'), compression='tiff_lzw')
    Image.fromarray(grey, mode='L').convert('P').save(os.path.join(folder, 'palette.png'))


if __name__ == '__main__':
    sequences()
    disagreeing_multiplicity()
    multiframe_implicit()
    rasters()

#!/usr/bin/python3
"""Independent references for taking a 3D model's maps back to the scan (issue 21 item 3).

1. test/fixtures/volume3d/inverse.json, on make_3d_reference.py's oblique,
   non-RAS, anisotropic volume.nii.gz and its model's geometry (1.5 mm,
   16x24x32): for every stored voxel, its world position (nibabel's affine),
   its voxel on nibabel's as_closest_canonical grid, the resampled coordinate
   (t * to/from, as in MONAI's Spacing) less the centred crop/pad offset is its
   tensor coordinate c; a known map on the tensor grid is read there with
   scipy map_coordinates (order 1, border repeated), 0 where c lies outside
   [-1/2, n - 1/2) on any axis. Also a coarse 4x6x8 map, read at
   (c + 1/2) * m/n - 1/2 (checked here to equal torch's trilinear interpolate,
   align_corners=False, on the tensor grid). And the header nibabel writes for
   a float32 map with the volume's header, and the qform nibabel makes of its
   affine and of a reflected one (what a map of a DICOM series gets).

2. test/fixtures/volume3d/alignment/: a volume stored oblique (turned 10 and 8
   degrees), non-RAS (x -> superior, y -> left, z -> posterior) and
   anisotropic (0.9/1.3/2.4 mm) with a bright Gaussian lesion at a known world
   point (lesion.json), and a handcrafted blob detector (Conv3d with a
   difference-of-Gaussians kernel, ReLU, global average pool, Linear to two
   classes; opset 17, dynamic batch) whose manifest resamples to 1.5 mm and
   crops one axis, pads another. lesion.json also holds where PyTorch's
   activation peaks on this script's own preprocessing (nibabel, scipy).

Run with Debian's /usr/bin/python3 (torch 1.13, onnx, nibabel, scipy):
    /usr/bin/python3 scripts/reference/make_3d_inverse_reference.py
To check a map ScanLens wrote against the scan it was made from, with nibabel:
    /usr/bin/python3 scripts/reference/make_3d_inverse_reference.py --check map.nii.gz scan.nii.gz
"""
import hashlib
import io
import json
import os
import sys

import nibabel as nib
import numpy as np
import torch
from scipy import ndimage
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from volume_ops import rotation  # noqa: E402

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'volume3d')
ALIGNMENT = os.path.join(FIXTURES, 'alignment')


def crop_offset(n, size):
    return n // 2 - size // 2 if n >= size else -((size - n) // 2)


def tensor_coordinates(image, size, spacing):
    """Each stored voxel's continuous tensor coordinate, through world mm and nibabel's canonical grid: shape (3, nx, ny, nz)."""
    canonical = nib.as_closest_canonical(image)
    zooms = np.sqrt((canonical.affine[:3, :3] ** 2).sum(axis=0))
    ijk = np.stack(np.meshgrid(*[np.arange(n) for n in image.shape[:3]], indexing='ij'), axis=0).reshape(3, -1)
    world = image.affine[:3, :3] @ ijk + image.affine[:3, 3:4]
    ras = np.linalg.solve(canonical.affine[:3, :3], world - canonical.affine[:3, 3:4])
    counts = [int(round((n - 1) * z / s)) + 1 for n, z, s in zip(canonical.shape[:3], zooms, spacing)]
    offsets = np.array([crop_offset(m, t) for m, t in zip(counts, size)], dtype=float)[:, None]
    c = ras * (zooms / np.array(spacing))[:, None] - offsets
    return c.reshape((3,) + image.shape[:3]), counts, offsets.ravel()


def read_map(values, c, tensor_size):
    """A map over the tensor's extent at tensor coordinates c: half-pixel scaling to its own grid, trilinear, border repeated, 0 outside."""
    size = np.array(tensor_size, dtype=float).reshape(3, 1, 1, 1)
    m = np.array(values.shape, dtype=float).reshape(3, 1, 1, 1)
    inside = np.all((c >= -0.5) & (c < size - 0.5), axis=0)
    coords = np.clip((c + 0.5) * m / size - 0.5, 0, m - 1)
    return ndimage.map_coordinates(values.astype(np.float64), coords, order=1, mode='nearest') * inside, inside


def smooth_map(size):
    d, h, w = np.meshgrid(*[np.arange(n, dtype=float) for n in size], indexing='ij')
    return np.sin(0.37 * d + 0.1) + 0.5 * np.cos(0.23 * h - 0.4) + 0.03 * w


def header_fields(header):
    names = ['sizeof_hdr', 'dim', 'datatype', 'bitpix', 'pixdim', 'vox_offset', 'qform_code', 'sform_code', 'quatern_b', 'quatern_c', 'quatern_d',
             'qoffset_x', 'qoffset_y', 'qoffset_z', 'srow_x', 'srow_y', 'srow_z', 'xyzt_units']
    return {name: np.asarray(header[name]).tolist() for name in names} | {'magic': header['magic'].item().decode()}


def sampled(volume, stride):
    """Every stride-th voxel in the order ScanLens stores them (x fastest), to 9 significant digits."""
    return [float(f'{v:.9g}') for v in volume.ravel(order='F')[::stride]]


def inverse_reference():
    model = json.load(open(os.path.join(FIXTURES, 'model.json')))
    size = (model['input']['size']['depth'], model['input']['size']['height'], model['input']['size']['width'])
    spacing = model['input']['spacing']
    image = nib.load(os.path.join(FIXTURES, 'volume.nii.gz'))
    c, counts, offsets = tensor_coordinates(image, size, spacing)

    fine = smooth_map(size)
    fine_back, inside = read_map(fine, c, size)
    coarse = np.random.default_rng(0).normal(0, 1, (4, 6, 8))
    coarse_back, _ = read_map(coarse, c, size)
    # The half-pixel reading on the tensor's own voxels is PyTorch's trilinear upsampling with align_corners=False.
    grid = np.stack(np.meshgrid(*[np.arange(n, dtype=float) for n in size], indexing='ij'))
    upsampled = torch.nn.functional.interpolate(torch.from_numpy(coarse)[None, None], size=size, mode='trilinear', align_corners=False)[0, 0].numpy()
    ours, _ = read_map(coarse, grid, size)
    assert np.abs(ours - upsampled).max() < 1e-9, np.abs(ours - upsampled).max()

    # The header nibabel writes for a float32 map carrying the scan's header, and the qform it makes of the scan's affine.
    map_image = nib.Nifti1Image(np.zeros(image.shape, dtype=np.float32), None, header=image.header.copy())
    map_image.set_data_dtype(np.float32)
    written = nib.Nifti1Header.from_fileobj(io.BytesIO(map_image.to_bytes()))
    def qform_of(affine):
        header = nib.Nifti1Header()
        header.set_qform(affine, code=1)
        return {'affine': affine.tolist(), 'quatern': [float(header[f'quatern_{q}']) for q in 'bcd'],
                'qoffset': [float(header[f'qoffset_{q}']) for q in 'xyz'], 'pixdim': np.asarray(header['pixdim'][:4]).tolist()}
    reflected = image.affine @ np.diag([-1.0, 1, 1, 1])

    stride = 11
    reference = {
        'about': 'scripts/reference/make_3d_inverse_reference.py: volume.nii.gz voxels -> world (nibabel affine) -> as_closest_canonical voxel -> resampled (x zoom/spacing) -> less the crop/pad offset; maps read with scipy map_coordinates (order 1, border repeated), 0 outside the tensor',
        'scanShape': list(image.shape), 'resampledCounts': counts, 'cropOffsets': offsets.tolist(), 'insideCount': int(inside.sum()),
        'sampleStride': stride,
        'fine': {'formula': 'sin(0.37 d + 0.1) + 0.5 cos(0.23 h - 0.4) + 0.03 w', 'sum': float(fine_back.sum()), 'samples': sampled(fine_back, stride)},
        'coarse': {'shape': list(coarse.shape), 'data': coarse.ravel().tolist(), 'sum': float(coarse_back.sum()), 'samples': sampled(coarse_back, stride)},
        'header': header_fields(written),
        'bestAffine': written.get_best_affine().tolist(),
        # The scan's affine, and the same with x reversed (a reflection: qfac -1), as nibabel's set_qform stores them.
        'qforms': [qform_of(image.affine), qform_of(reflected)],
    }
    with open(os.path.join(FIXTURES, 'inverse.json'), 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')
    print('inverse: inside', reference['insideCount'], 'of', int(np.prod(image.shape)), 'fine sum', reference['fine']['sum'])


def gaussian_kernel(sigma, size=5):
    x = np.arange(size) - size // 2
    g = np.exp(-(x[:, None, None] ** 2 + x[None, :, None] ** 2 + x[None, None, :] ** 2) / (2 * sigma ** 2))
    return g / g.sum()


class BlobDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 1, 5, padding=2)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(1, 2)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.relu(self.conv(x))), 1))


def alignment_fixture():
    os.makedirs(ALIGNMENT, exist_ok=True)
    rng = np.random.default_rng(21)
    shape = (44, 36, 20)
    zooms = (0.9, 1.3, 2.4)
    # Stored x -> superior, y -> left, z -> posterior, then turned 10 degrees about A and 8 about S.
    axes = np.zeros((3, 3))
    axes[2, 0], axes[0, 1], axes[1, 2] = zooms[0], -zooms[1], -zooms[2]
    affine = np.eye(4)
    affine[:3, :3] = rotation(8, 2) @ rotation(10, 1) @ axes
    affine[:3, 3] = (12.0, 40.0, -25.0)
    lesion_voxel = np.array([27.3, 12.6, 8.4])
    lesion = np.round(affine[:3, :3] @ lesion_voxel + affine[:3, 3], 1)

    ijk = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing='ij'), axis=0).reshape(3, -1)
    world = (affine[:3, :3] @ ijk + affine[:3, 3:4]).reshape((3,) + shape)
    distance2 = ((world - lesion.reshape(3, 1, 1, 1)) ** 2).sum(axis=0)
    data = np.round(100 + 0.8 * world[2] + rng.normal(0, 3, shape) + 900 * np.exp(-distance2 / (2 * 3.0 ** 2))).astype(np.int16)
    image = nib.Nifti1Image(data, affine)
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    volume_path = os.path.join(ALIGNMENT, 'volume.nii.gz')
    nib.save(image, volume_path)

    size = (28, 40, 24)
    spacing = (1.5, 1.5, 1.5)
    torch.manual_seed(0)
    model = BlobDetector()
    with torch.no_grad():
        model.conv.weight.copy_(torch.from_numpy(gaussian_kernel(1.0) - gaussian_kernel(2.0))[None, None])
        model.conv.bias.fill_(-0.01)
        model.fc.weight.copy_(torch.tensor([[4.0], [-4.0]]))
        model.fc.bias.zero_()
    model.eval()
    onnx_path = os.path.join(ALIGNMENT, 'model.onnx')
    torch.onnx.export(model, torch.zeros(1, 1, *size), onnx_path, opset_version=17, input_names=['volume'], output_names=['logits'],
                      dynamic_axes={'volume': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
    manifest = {
        'schema': 'scanlens.model/1', 'name': 'blob-detector-3d', 'version': '1', 'file': 'model.onnx',
        'sha256': hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest(),
        'input': {'name': 'volume', 'layout': 'NCDHW', 'channels': 1, 'size': {'depth': size[0], 'height': size[1], 'width': size[2]},
                  'spacing': list(spacing), 'intensity': {'mode': 'minmax'}},
        'output': {'name': 'logits', 'type': 'logits'},
        'labels': ['lesion', 'none'],
    }
    with open(os.path.join(ALIGNMENT, 'model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')

    # This script's own preprocessing (nibabel canonical, scipy trilinear, min-max, crop/pad) and PyTorch's activation on it.
    stored = nib.load(volume_path)
    canonical = nib.as_closest_canonical(stored)
    ras = np.asarray(canonical.dataobj).astype(np.float64)
    ras_zooms = np.sqrt((canonical.affine[:3, :3] ** 2).sum(axis=0))
    counts = [int(round((n - 1) * f / t)) + 1 for n, f, t in zip(ras.shape, ras_zooms, spacing)]
    grids = np.meshgrid(*[np.arange(m) * t / f for m, f, t in zip(counts, ras_zooms, spacing)], indexing='ij')
    resampled = ndimage.map_coordinates(ras, grids, order=1, mode='nearest')
    unit = (resampled - resampled.min()) / (resampled.max() - resampled.min())
    offsets = [crop_offset(m, t) for m, t in zip(counts, size)]
    assert any(o > 0 for o in offsets) and any(o < 0 for o in offsets), offsets
    tensor = np.zeros(size)
    src = tuple(slice(max(o, 0), max(o, 0) + min(m, t)) for o, m, t in zip(offsets, counts, size))
    dst = tuple(slice(max(-o, 0), max(-o, 0) + min(m, t)) for o, m, t in zip(offsets, counts, size))
    tensor[dst] = unit[src]
    with torch.no_grad():
        x = torch.from_numpy(tensor[None, None].astype(np.float32))
        activation = model.relu(model.conv(x))[0, 0].numpy()
        logits = model(x)[0].numpy()
    peak = np.array(np.unravel_index(activation.argmax(), activation.shape), dtype=float)
    resampled_voxel = peak + np.array(offsets)
    peak_world = canonical.affine[:3, :3] @ (resampled_voxel * np.array(spacing) / ras_zooms) + canonical.affine[:3, 3]
    reference = {
        'about': 'scripts/reference/make_3d_inverse_reference.py: a Gaussian lesion (sigma 3 mm) centred at world (RAS mm), in a volume stored x->S, y->L, z->P, turned 10 and 8 degrees, 0.9/1.3/2.4 mm',
        'world': lesion.tolist(),
        'storedVoxel': np.linalg.solve(affine[:3, :3], lesion - affine[:3, 3]).tolist(),
        'resampledCounts': counts, 'cropOffsets': offsets,
        'pytorch': {'logits': logits.astype(float).tolist(), 'activationPeak': peak.tolist(), 'activationPeakWorld': peak_world.tolist(),
                    'peakDistanceMm': float(np.linalg.norm(peak_world - lesion))},
    }
    with open(os.path.join(ALIGNMENT, 'lesion.json'), 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')
    print('alignment: lesion', lesion, 'pytorch peak', peak_world, 'distance mm', reference['pytorch']['peakDistanceMm'], 'offsets', offsets)


def check(map_path, scan_path):
    """A map ScanLens wrote, read by nibabel against the scan it was made from."""
    written, scan = nib.load(map_path), nib.load(scan_path)
    data = np.asarray(written.dataobj)
    print('shape', written.shape, 'scan', scan.shape[:3], 'dtype', data.dtype)
    print('sform', int(written.header['sform_code']), int(scan.header['sform_code']), 'qform', int(written.header['qform_code']), int(scan.header['qform_code']))
    print('largest affine difference', np.abs(written.affine - scan.affine).max(),
          'qform', np.abs(written.get_qform() - scan.get_qform()).max(), 'sform', np.abs(written.get_sform() - scan.get_sform()).max())
    peak = np.unravel_index(np.nanargmax(data), data.shape)
    print('values', float(np.nanmin(data)), '..', float(np.nanmax(data)), 'peak voxel', [int(v) for v in peak],
          'world', (written.affine[:3, :3] @ np.array(peak) + written.affine[:3, 3]).round(2).tolist())
    ok = written.shape == scan.shape[:3] and np.allclose(written.affine, scan.affine, atol=1e-5)
    print('aligned' if ok else 'NOT aligned')
    return 0 if ok else 1


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--check':
        sys.exit(check(sys.argv[2], sys.argv[3]))
    inverse_reference()
    alignment_fixture()

#!/usr/bin/python3
"""A seeded 3D classifier and independent references for ScanLens' 3D preprocessing and classify.

Builds a small 3D ResNet-shaped CNN (Conv3d, BatchNorm3d with random running
statistics, ReLU, MaxPool3d, two residual blocks with an add, global average
pool, Linear), exports it to ONNX (opset 17, dynamic batch) with a manifest,
and writes two volumes stored in non-RAS, slightly oblique orientations:

- volume.nii.gz, 30x26x18 int16, spacing 1.5/2.0/1.2 mm: the manifest's whole
  pipeline (RAS, resample to 1.5 mm, percentile 1..99, mean/std, crop/pad) is
  computed here with nibabel (as_closest_canonical) and scipy.ndimage
  (map_coordinates, order 1, border repeated), and PyTorch's logits on that
  tensor are written to reference.json;
- small.json: a 9x7x5 volume with its canonical array (nibabel), its
  trilinear resampling to other spacings (scipy), a z-score and a crop/pad,
  for the unit tests of each step.

The definitions (MONAI's): output voxel t of an axis lies at t*to/from input
voxels (the first voxel centre kept; count round((n-1)*from/to)+1); z-score
uses the population std; crop starts at n//2 - size//2, padding puts
(size-n)//2 zeros before.

Run with Debian's /usr/bin/python3 (torch 1.13, onnx, nibabel, scipy):
    /usr/bin/python3 scripts/reference/make_3d_reference.py
Writes test/fixtures/volume3d/{model.onnx, model.json, volume.nii.gz, reference.json, small.json}.
"""
import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np
import torch
from scipy import ndimage
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from volume_ops import Block, canonical, crop_or_pad, randomise_batchnorm, resample, rotation  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'volume3d')
LABELS = ['glioma', 'meningioma', 'notumor']
SIZE = (16, 24, 32)  # D, H, W: the tensor's R, A, S extent
SPACING = (1.5, 1.5, 1.5)
MEAN, STD = 0.2, 0.5


class Tiny3DResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(1, 8, 3, 1, 1, bias=False), nn.BatchNorm3d(8), nn.ReLU(), nn.MaxPool3d(2))
        self.layer1 = Block(8)
        self.down = nn.Sequential(nn.Conv3d(8, 16, 3, 2, 1, bias=False), nn.BatchNorm3d(16), nn.ReLU())
        self.layer2 = Block(16)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(16, len(LABELS))

    def forward(self, x):
        x = self.layer2(self.down(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


def oblique_affine(columns, zooms, degrees, origin):
    """Voxel axes along the given signed world axes (e.g. [('A', -1), ...]), scaled, then turned a little."""
    world = {'R': 0, 'A': 1, 'S': 2}
    m = np.zeros((3, 3))
    for v, ((name, sign), zoom) in enumerate(zip(columns, zooms)):
        m[world[name], v] = sign * zoom
    affine = np.eye(4)
    affine[:3, :3] = rotation(degrees, 2) @ m
    affine[:3, 3] = origin
    return affine


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    model = Tiny3DResNet()
    randomise_batchnorm(model)
    model.eval()
    onnx_path = os.path.join(OUT, 'model.onnx')
    torch.onnx.export(model, torch.zeros(1, 1, *SIZE), onnx_path, opset_version=17, input_names=['volume'], output_names=['logits'],
                      dynamic_axes={'volume': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
    sha = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()
    manifest = {
        'schema': 'scanlens.model/1', 'name': 'tiny-3d-resnet', 'version': '1', 'file': 'model.onnx', 'sha256': sha,
        'input': {'name': 'volume', 'layout': 'NCDHW', 'channels': 1, 'size': {'depth': SIZE[0], 'height': SIZE[1], 'width': SIZE[2]},
                  'spacing': list(SPACING), 'intensity': {'mode': 'percentile', 'low': 1, 'high': 99}, 'mean': [MEAN], 'std': [STD]},
        'output': {'name': 'logits', 'type': 'logits'},
        'labels': LABELS,
    }
    with open(os.path.join(OUT, 'model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')

    # A bright ellipsoid on a noisy background, stored x -> posterior, y -> superior, z -> left, turned 6 degrees about S.
    shape = (30, 26, 18)
    zooms = (1.5, 2.0, 1.2)
    grid = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing='ij')
    blob = ((grid[0] - 0.2) ** 2 / 0.3 + (grid[1] + 0.1) ** 2 / 0.2 + grid[2] ** 2 / 0.4) < 1
    data = (rng.normal(200, 40, shape) + 600 * blob).astype(np.int16)
    affine = oblique_affine([('A', -1), ('S', 1), ('R', -1)], zooms, 6, (20.0, 30.0, -15.0))
    image = nib.Nifti1Image(data, affine)
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    nib.save(image, os.path.join(OUT, 'volume.nii.gz'))

    ras, ras_zooms = canonical(np.asarray(nib.load(os.path.join(OUT, 'volume.nii.gz')).dataobj), affine)
    resampled = resample(ras, ras_zooms, SPACING)
    low, high = np.percentile(resampled, [1, 99])
    unit = np.clip((resampled - low) / (high - low), 0, 1)
    tensor = crop_or_pad((unit - MEAN) / STD, SIZE)
    with torch.no_grad():
        logits = model(torch.from_numpy(tensor[None, None].astype(np.float32))).numpy()[0]
    reference = {
        'about': 'scripts/reference/make_3d_reference.py: volume.nii.gz through nibabel as_closest_canonical, scipy trilinear to 1.5 mm, percentile 1..99, mean/std, crop/pad; PyTorch logits',
        'rasShape': list(ras.shape), 'rasSpacing': ras_zooms.tolist(), 'resampledShape': list(resampled.shape),
        'tensorSum': float(tensor.sum()), 'tensorFirst': tensor.ravel()[:8].tolist(),
        'logits': logits.astype(float).tolist(),
    }
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')

    # The small volume for the step-by-step tests: stored x -> left, y -> anterior, z -> inferior, turned 4 degrees.
    small_shape = (9, 7, 5)
    small_zooms = (1.0, 1.5, 2.5)
    small = rng.integers(-100, 1000, small_shape).astype(np.float64)
    small_affine = oblique_affine([('R', -1), ('A', 1), ('S', -1)], small_zooms, 4, (5.0, -3.0, 8.0))
    small_ras, small_ras_zooms = canonical(small, small_affine)
    targets = {'coarser': [1.7, 2.0, 2.9], 'finer': [0.6, 0.9, 1.1]}
    resampled_small = {name: resample(small_ras, small_ras_zooms, t) for name, t in targets.items()}
    z = small_ras - small_ras.mean()
    zscore = z / small_ras.std()
    with open(os.path.join(OUT, 'small.json'), 'w') as f:
        json.dump({
            'about': 'scripts/reference/make_3d_reference.py: nibabel as_closest_canonical and scipy map_coordinates (order 1, mode nearest) on a 9x7x5 volume',
            'shape': list(small_shape),
            # Stored as the Scan type holds voxels: x fastest, then y, then z.
            'voxels': small.transpose(2, 1, 0).ravel().tolist(),
            'affine': small_affine.tolist(),
            'ras': {'shape': list(small_ras.shape), 'spacing': small_ras_zooms.tolist(), 'data': small_ras.ravel().tolist()},
            'resampled': {name: {'spacing': targets[name], 'shape': list(r.shape), 'data': r.ravel().tolist()} for name, r in resampled_small.items()},
            'zscore': zscore.ravel().tolist(),
            'cropOrPad': {'size': [4, 9, 6], 'data': crop_or_pad(small_ras, (4, 9, 6)).ravel().tolist()},
        }, f)
        f.write('\n')
    print('logits', logits, 'model bytes', os.path.getsize(onnx_path))


if __name__ == '__main__':
    main()

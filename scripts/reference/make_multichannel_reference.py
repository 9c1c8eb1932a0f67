#!/usr/bin/python3
"""A seeded four-sequence 3D classifier and PyTorch's logits for a subject given two ways.

Builds a small 3D ResNet-shaped CNN taking four channels (t1, t1c, t2, flair),
exported to ONNX (opset 17, dynamic batch) with a manifest that names the
sequences, z-scores each channel and gives each its own mean/std. Then one
synthetic head (soft ellipsoids: skull, ventricles, a lesion, each sequence
with its own contrast) is sampled twice:

- subject/BraTS-demo-001/: four NIfTI files, one per sequence, each on its
  OWN grid (different shapes, spacings, axis orders, flips and obliquity;
  the flair covers less than the t1, so border values are repeated), named
  BraTS style (*_t1, *_t1ce, *_t2, *_flair) with a *_seg file beside them;
- stack4d.nii.gz: the four sequences as one 4D NIfTI on one oblique grid.

The reference pipeline, computed here independently of ScanLens:
1. (subject) every sequence resampled onto the FIRST sequence's voxel grid
   through the affines: scipy.ndimage.map_coordinates (order 1, mode
   'nearest', i.e. trilinear with border values repeated, as MONAI's
   ResampleToMatch defaults) at inv(A_seq) @ A_t1 @ voxel;
2. each channel reoriented with nibabel's as_closest_canonical (on the first
   sequence's affine), resampled to 2 mm (map_coordinates, output t at
   t*to/from input voxels), z-scored on its own (population std, as MONAI's
   NormalizeIntensity(channel_wise=True)), then (v - mean[c]) / std[c],
   centre crop/pad (MONAI ResizeWithPadOrCrop);
3. channels stacked in the manifest's order, PyTorch's logits recorded.

Run with Debian's /usr/bin/python3 (torch 1.13, onnx, nibabel, scipy):
    /usr/bin/python3 scripts/reference/make_multichannel_reference.py
Writes test/fixtures/volume3d/multichannel/{model.onnx, model.json, reference.json,
stack4d.nii.gz, subject/BraTS-demo-001/*.nii.gz}.
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
from volume_ops import Block, crop_or_pad, randomise_batchnorm, resample, rotation  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'volume3d', 'multichannel')
SUBJECT = 'BraTS-demo-001'
SEQUENCES = ['t1', 't1c', 't2', 'flair']
# The file-name spelling of each sequence (BraTS 2018-2021 calls t1c "t1ce").
FILE_NAMES = ['t1', 't1ce', 't2', 'flair']
LABELS = ['glioma', 'meningioma', 'notumor']
SIZE = (14, 16, 18)  # D, H, W along R, A, S
SPACING = (2.0, 2.0, 2.0)
MEAN = [0.1, -0.2, 0.0, 0.3]
STD = [1.0, 1.5, 0.8, 1.2]

# Contrast of (brain, ventricles, lesion) per sequence.
CONTRAST = {'t1': (420, -300, -120), 't1c': (430, -310, 480), 't2': (300, 600, 380), 'flair': (360, -250, 520)}


class FourSequenceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(len(SEQUENCES), 8, 3, 1, 1, bias=False), nn.BatchNorm3d(8), nn.ReLU(), nn.MaxPool3d(2))
        self.layer1 = Block(8)
        self.down = nn.Sequential(nn.Conv3d(8, 12, 3, 2, 1, bias=False), nn.BatchNorm3d(12), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(12, len(LABELS))

    def forward(self, x):
        x = self.down(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


def grid_affine(columns, zooms, turns, shape, shift):
    """Voxel axes along signed world axes, scaled, turned (degrees about R, A, S), centred on `shift` mm."""
    world = {'R': 0, 'A': 1, 'S': 2}
    m = np.zeros((3, 3))
    for v, ((name, sign), zoom) in enumerate(zip(columns, zooms)):
        m[world[name], v] = sign * zoom
    for axis, degrees in enumerate(turns):
        m = rotation(degrees, axis) @ m
    affine = np.eye(4)
    affine[:3, :3] = m
    affine[:3, 3] = np.asarray(shift) - m @ ((np.asarray(shape) - 1) / 2)
    return affine


def soft(inside):
    """A soft edge: 1 well inside an ellipsoid (inside > 0), 0 well outside."""
    return 1 / (1 + np.exp(np.clip(-inside / 0.08, -60, 60)))


def head(sequence, affine, shape, rng):
    """The synthetic head sampled on a grid: world mm of every voxel, the contrast's soft ellipsoids, int16 with noise."""
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing='ij'), axis=-1).astype(np.float64)
    xyz = idx @ affine[:3, :3].T + affine[:3, 3]
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    brain = 1 - (x / 13) ** 2 - (y / 15) ** 2 - (z / 12) ** 2
    ventricles = 1 - ((x + 3) / 3) ** 2 - (y / 7) ** 2 - ((z - 1) / 4) ** 2
    lesion = 1 - ((x - 5) / 4) ** 2 - ((y + 4) / 4) ** 2 - ((z - 3) / 4) ** 2
    b, v, l = CONTRAST[sequence]
    value = 40 + b * soft(brain) + v * soft(ventricles) + l * soft(lesion)
    return np.round(value + rng.normal(0, 6, shape)).astype(np.int16)


def save(data, affine, path):
    image = nib.Nifti1Image(data, affine)
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    nib.save(image, path)


def onto(data, affine, target_affine, target_shape):
    """`data` (on `affine`) at the voxels of the target grid, through world coordinates: trilinear, border repeated."""
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in target_shape], indexing='ij'), axis=0).reshape(3, -1).astype(np.float64)
    transform = np.linalg.inv(affine) @ target_affine
    points = transform[:3, :3] @ idx + transform[:3, 3:4]
    return ndimage.map_coordinates(data.astype(np.float64), points, order=1, mode='nearest').reshape(target_shape)


def channel(data, affine, c, mean=MEAN, std=STD):
    """One channel on a grid with `affine`: canonical (nibabel), 2 mm, its own z-score, mean/std, crop/pad."""
    image = nib.as_closest_canonical(nib.Nifti1Image(data.astype(np.float64), affine))
    ras = np.asarray(image.dataobj).astype(np.float64)
    zooms = np.sqrt((image.affine[:3, :3] ** 2).sum(axis=0))
    resampled = resample(ras, zooms, SPACING)
    z = (resampled - resampled.mean()) / resampled.std()
    return crop_or_pad((z - mean[c]) / std[c], SIZE)


def logits_of(model, channels):
    tensor = np.stack(channels)[None].astype(np.float32)
    with torch.no_grad():
        return model(torch.from_numpy(tensor)).numpy()[0].astype(float).tolist(), tensor


def main():
    folder = os.path.join(OUT, 'subject', SUBJECT)
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(21)

    model = FourSequenceNet()
    randomise_batchnorm(model)
    with torch.no_grad():
        # Logits spread over a few units rather than a few hundredths, so a small preprocessing mistake moves them past the tolerance.
        model.fc.weight.mul_(30)
    model.eval()
    onnx_path = os.path.join(OUT, 'model.onnx')
    torch.onnx.export(model, torch.zeros(1, len(SEQUENCES), *SIZE), onnx_path, opset_version=17, input_names=['volume'], output_names=['logits'],
                      dynamic_axes={'volume': {0: 'batch'}, 'logits': {0: 'batch'}}, do_constant_folding=True)
    sha = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()
    manifest = {
        'schema': 'scanlens.model/1', 'name': 'four-sequence-3d', 'version': '1', 'file': 'model.onnx', 'sha256': sha,
        'input': {'name': 'volume', 'layout': 'NCDHW', 'channels': len(SEQUENCES), 'sequences': SEQUENCES,
                  'size': {'depth': SIZE[0], 'height': SIZE[1], 'width': SIZE[2]}, 'spacing': list(SPACING),
                  'intensity': {'mode': 'zscore'}, 'mean': MEAN, 'std': STD},
        'output': {'name': 'logits', 'type': 'logits'},
        'labels': LABELS,
    }
    with open(os.path.join(OUT, 'model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')

    # Each sequence on its own grid: (axis directions, zooms, turns about R/A/S, shape, centre mm).
    grids = [
        ([('A', -1), ('S', 1), ('R', -1)], (1.5, 1.2, 2.0), (0, 0, 6), (22, 26, 16), (0.5, -0.5, 0.0)),
        ([('R', 1), ('A', 1), ('S', 1)], (1.0, 1.1, 1.3), (-5, 0, 0), (30, 30, 22), (1.0, 0.5, -0.5)),
        ([('R', -1), ('A', -1), ('S', 1)], (2.0, 2.0, 2.5), (0, 4, 0), (16, 18, 12), (-0.5, 0.0, 1.0)),
        # The flair covers less than the t1 along S (and a little along R): border values are repeated there.
        ([('S', 1), ('R', 1), ('A', 1)], (1.3, 1.7, 1.1), (3, 0, -4), (20, 14, 26), (0.0, 1.0, 2.0)),
    ]
    stored = []
    for sequence, name, (columns, zooms, turns, shape, centre) in zip(SEQUENCES, FILE_NAMES, grids):
        affine = grid_affine(columns, zooms, turns, shape, centre)
        data = head(sequence, affine, shape, rng)
        path = os.path.join(folder, f'{SUBJECT}_{name}.nii.gz')
        save(data, affine, path)
        loaded = nib.load(path)
        stored.append((np.asarray(loaded.dataobj).astype(np.float64), loaded.affine))
    save(np.zeros((4, 4, 4), dtype=np.uint8), stored[0][1], os.path.join(folder, f'{SUBJECT}_seg.nii.gz'))

    first_data, first_affine = stored[0]
    matched = [first_data] + [onto(data, affine, first_affine, first_data.shape) for data, affine in stored[1:]]
    subject_logits, subject_tensor = logits_of(model, [channel(m, first_affine, c) for c, m in enumerate(matched)])
    # As a MONAI bundle would feed it with NormalizeIntensityd(channel_wise=True) alone: z-scores, no mean/std after.
    zscore_logits, _ = logits_of(model, [channel(m, first_affine, c, [0] * 4, [1] * 4) for c, m in enumerate(matched)])

    # The 4D form: the same head's four sequences on one oblique, non-RAS grid.
    shape4 = (18, 20, 14)
    affine4 = grid_affine([('S', -1), ('A', 1), ('R', 1)], (1.8, 1.6, 2.2), (4, -3, 0), shape4, (0.0, 0.5, 0.5))
    stack = np.stack([head(s, affine4, shape4, rng) for s in SEQUENCES], axis=-1)
    save(stack, affine4, os.path.join(OUT, 'stack4d.nii.gz'))
    stack = np.asarray(nib.load(os.path.join(OUT, 'stack4d.nii.gz')).dataobj).astype(np.float64)
    stack_logits, stack_tensor = logits_of(model, [channel(stack[..., c], affine4, c) for c in range(len(SEQUENCES))])

    reference = {
        'about': 'scripts/reference/make_multichannel_reference.py: sequences onto the t1 grid (scipy map_coordinates through the affines, trilinear, border), '
                 'nibabel as_closest_canonical, scipy trilinear to 2 mm, z-score per channel, mean/std per channel, crop/pad; PyTorch logits',
        'subject': {'folder': f'subject/{SUBJECT}', 'logits': subject_logits, 'zscoreOnlyLogits': zscore_logits, 'channelSums': subject_tensor[0].reshape(4, -1).sum(axis=1).astype(float).tolist(),
                    # The flair resampled onto the t1 grid, as the Scan type stores voxels (x fastest), to check the matching alone.
                    'flairOnT1': {'sum': float(matched[3].sum()), 'first': matched[3].transpose(2, 1, 0).ravel()[:16].tolist()}},
        'stack4d': {'file': 'stack4d.nii.gz', 'logits': stack_logits, 'channelSums': stack_tensor[0].reshape(4, -1).sum(axis=1).astype(float).tolist()},
    }
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(OUT) for name in names)
    print('subject logits', subject_logits, 'stack logits', stack_logits, 'fixture bytes', total)


if __name__ == '__main__':
    main()

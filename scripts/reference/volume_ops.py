"""The 3D pieces the volume references share: MONAI's resampling and crop/pad as ScanLens
implements them, nibabel's RAS reorientation, rotations, and a seeded residual 3D block.

Definitions (MONAI's): output voxel t of an axis lies at t*to/from input voxels (the first
voxel centre kept; count round((n-1)*from/to)+1), the border repeated; a crop starts at
n//2 - size//2, padding puts (size-n)//2 zeros before.
"""
import nibabel as nib
import numpy as np
from scipy import ndimage
import torch
from torch import nn


def rotation(degrees, axis):
    """A rotation by `degrees` about world axis `axis` (0 R, 1 A, 2 S)."""
    t = np.deg2rad(degrees)
    c, s = np.cos(t), np.sin(t)
    i, j = [a for a in range(3) if a != axis]
    r = np.eye(3)
    r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
    return r


def resample(data, zooms, spacing):
    """Trilinear to `spacing`, output t at t*to/from input voxels, the border repeated (scipy, order 1)."""
    counts = [int(round((n - 1) * f / t)) + 1 for n, f, t in zip(data.shape, zooms, spacing)]
    grids = np.meshgrid(*[np.arange(m) * t / f for m, f, t in zip(counts, zooms, spacing)], indexing='ij')
    return ndimage.map_coordinates(data.astype(np.float64), grids, order=1, mode='nearest')


def crop_or_pad(data, size):
    """Centred crop or zero pad to `size`, as MONAI's ResizeWithPadOrCrop."""
    out = np.zeros(size, dtype=data.dtype)
    src, dst = [], []
    for n, m in zip(data.shape, size):
        if n >= m:
            start = n // 2 - m // 2
            src.append(slice(start, start + m))
            dst.append(slice(0, m))
        else:
            before = (m - n) // 2
            src.append(slice(0, n))
            dst.append(slice(before, before + n))
    out[tuple(dst)] = data[tuple(src)]
    return out


def canonical(data, affine):
    """nibabel's as_closest_canonical (RAS) and the voxel sizes after it."""
    image = nib.as_closest_canonical(nib.Nifti1Image(data, affine))
    return np.asarray(image.dataobj).astype(np.float64), np.sqrt((image.affine[:3, :3] ** 2).sum(axis=0))


class Block(nn.Module):
    """A residual block of two 3x3x3 convolutions with BatchNorm, as a 3D ResNet's."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv3d(channels, channels, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(channels)
        self.conv2 = nn.Conv3d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm3d(channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + x)


def randomise_batchnorm(model):
    """Random BatchNorm statistics and affine terms, drawn from torch's seeded generator in module order, so activations are not plain copies of the weights' init."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm3d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)

"""Seeded scan-to-scan variation: head pose, size, intensity gain, bias field, noise."""
import math

import numpy as np
from scipy import ndimage


def _rotation(rng, degrees):
    a, b, c = (math.radians(rng.uniform(-degrees, degrees)) for _ in range(3))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return rx @ ry @ rz


def augment(rng, vol):
    """A new pose (about the volume centre) and acquisition of the same head."""
    matrix = _rotation(rng, 8.0) * rng.uniform(0.93, 1.07)
    centre = (np.array(vol.shape) - 1) / 2.0
    shift = rng.uniform(-3.0, 3.0, 3)  # voxels of 2 mm
    offset = centre - matrix @ (centre + shift)
    out = ndimage.affine_transform(vol, matrix, offset=offset, order=1, mode="constant", cval=0.0)
    # Smooth multiplicative bias field and global gain, then Rician-like noise floor.
    coarse = rng.uniform(-1, 1, (3, 3, 3)).astype(np.float32)
    bias = ndimage.zoom(coarse, np.array(vol.shape) / 3.0, order=1)[: vol.shape[0], : vol.shape[1], : vol.shape[2]]
    out *= rng.uniform(0.85, 1.15) * (1.0 + 0.08 * bias)
    out += rng.normal(0.0, rng.uniform(1.0, 4.0), out.shape).astype(np.float32)
    return np.clip(out, 0.0, 255.0).astype(np.float32)

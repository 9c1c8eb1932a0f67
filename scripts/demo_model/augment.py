"""Turn a (lesioned) 1 mm T1 plane into one augmented 128x128 8-bit image.

Geometry and intensity are randomised so the network cannot memorise the one
brain it sees: the head lands at a different place, size, angle and side each
time, with scanner-like shading, contrast and noise.
"""
import math

import numpy as np
from scipy import ndimage

SIZE = 128

# Augmentation ranges (also quoted in the model card).
FOV_MARGIN = 1.08  # field of view = head extent x this, before scaling
SCALE = (0.85, 1.15)
ROTATION_DEG = 15.0
SHIFT_FRACTION = 0.06
ELASTIC_MM = 4.0  # max std of the coarse 5x5 displacement grid
GAMMA = (0.75, 1.35)
BIAS_LOG_AMPLITUDE = 0.3
BLUR_P, BLUR_SIGMA = 0.3, (0.3, 0.9)
NOISE_SIGMA = (0.005, 0.035)  # Rician, fraction of full scale


def render(rng, img, head, display_max):
    """Resample to SIZE x SIZE with a random affine + elastic warp, then degrade intensities."""
    out = _resample(rng, img, head)
    return _to_uint8(_intensity(rng, out / display_max))


def _resample(rng, img, head):
    rows, cols = np.nonzero(head)
    centre = np.array([(rows.min() + rows.max()) / 2.0, (cols.min() + cols.max()) / 2.0])
    extent = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1
    scale = rng.uniform(*SCALE)
    fov = extent * FOV_MARGIN / scale  # mm covered by the output; scale > 1 zooms in
    pixel = fov / SIZE
    angle = math.radians(rng.uniform(-ROTATION_DEG, ROTATION_DEG))
    shift = rng.uniform(-SHIFT_FRACTION, SHIFT_FRACTION, size=2) * fov

    v, u = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) - (SIZE - 1) / 2.0
    if rng.random() < 0.5:  # left-right flip: both display conventions occur in practice
        u = -u
    ca, sa = math.cos(angle), math.sin(angle)
    src_r = centre[0] + shift[0] + pixel * (ca * v - sa * u)
    src_c = centre[1] + shift[1] + pixel * (sa * v + ca * u)

    # Smooth elastic deformation: a coarse random displacement grid, upsampled.
    amp = rng.uniform(0.0, ELASTIC_MM)
    coarse = rng.normal(0.0, amp, size=(2, 5, 5)).astype(np.float32)
    src_r += ndimage.zoom(coarse[0], SIZE / 5, order=3)
    src_c += ndimage.zoom(coarse[1], SIZE / 5, order=3)

    # Downsampling from 1 mm: low-pass first so fine detail does not alias.
    sigma = 0.5 * math.sqrt(max(pixel * pixel - 1.0, 0.0))
    source = ndimage.gaussian_filter(img, sigma) if sigma > 0.05 else img
    return ndimage.map_coordinates(source, [src_r, src_c], order=1, mode="constant", cval=0.0)


def _intensity(rng, x):
    x = x / rng.uniform(0.85, 1.1)  # window/level: where the brightest tissue lands
    # Bias field: smooth multiplicative shading as from coil sensitivity.
    coarse = rng.normal(0.0, 1.0, size=(3, 3)).astype(np.float32)
    field = ndimage.zoom(coarse, SIZE / 3, order=3)
    x = x * np.exp(rng.uniform(0.0, BIAS_LOG_AMPLITUDE) * field)
    x = np.clip(x, 0.0, None) ** math.exp(rng.uniform(math.log(GAMMA[0]), math.log(GAMMA[1])))  # gamma
    if rng.random() < BLUR_P:
        x = ndimage.gaussian_filter(x, rng.uniform(*BLUR_SIGMA))
    # Rician noise: magnitude of a complex signal with Gaussian noise on both parts.
    sigma = rng.uniform(*NOISE_SIGMA)
    n1 = rng.normal(0.0, sigma, x.shape)
    n2 = rng.normal(0.0, sigma, x.shape)
    return np.sqrt((x + n1) ** 2 + n2**2)


def _to_uint8(x):
    """Quantise like a stored 8-bit image: this is exactly what inference will read."""
    return np.round(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)

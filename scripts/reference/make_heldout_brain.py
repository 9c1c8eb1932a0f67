#!/usr/bin/python3
"""The held-out different-brain check for anomaly detectors (issue 17 item 2): fixtures.

    /usr/bin/python3 scripts/reference/make_heldout_brain.py      # from the repository root

Fit on one real brain, score another that no backbone or detector has seen:

    test/fixtures/heldout-brain/fit/     40 normal slices of Colin27 "ch2" (mricron-data), resampled
                                         onto the grid and field of view of the other brain (2 mm)
    test/fixtures/heldout-brain/normal/  30 slices of nibabel's anatomical.nii (a different subject's
                                         T1, 33x41x25 at 2 mm), axial, coronal and sagittal
    test/fixtures/heldout-brain/lesion/  the same 30 slices, each with one lesion drawn in
    test/fixtures/heldout-brain/masks/   where each lesion is
    test/fixtures/heldout-brain/same/    40 other normal slices of anatomical.nii, for the second
                                         protocol: fit on a brain the backbone never saw and score
                                         its held-out slices (what a researcher does with their own
                                         normals; adjacent slices are 2 mm apart, so not independent)

The lesions are deliberately unlike every generator used to train or fit anything
in this repository (scripts/demo_model/lesions.py: soft-edged lobulated blobs whose
values are replaced by a smooth-textured necrotic core, bright rim, oedema, or a
homogeneous bright mass). Here edges are hard, shapes are an angular star polygon,
a cluster of small foci or a thin band, contrast is a gain on the tissue that was
there (brighter or darker), and texture is pixel-level speckle or fine stripes.

Each volume becomes 8-bit by its own 99.5th percentile. Seeded: rerunning writes
identical files. The inia19 macaque template is never read.
"""
import math
import os
import shutil

import nibabel as nib
import numpy as np
from PIL import Image
from scipy import ndimage

SEED = 20261207
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "heldout-brain")
CH2 = "/usr/share/mricron/templates/ch2.nii.gz"
OTHER = "/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii"
FIT, HELD_OUT = 40, 30
MARGIN = 3  # slices skipped at each end of every axis (mostly outside the brain)


def to_uint8(volume):
    top = np.percentile(volume[volume > 0], 99.5)
    return np.round(np.clip(volume / top, 0.0, 1.0) * 255.0).astype(np.uint8)


def cut(volume, axis, index):
    """A display slice: the other two axes, flipped so superior/anterior is up."""
    plane = np.take(volume, index, axis=axis)
    return np.ascontiguousarray(np.rot90(plane))


def ch2_on_grid(rng, target):
    """ch2 resampled onto the target's voxel grid (world mm), smoothed to its 2 mm, with a random sub-voxel shift."""
    img = nib.load(CH2)
    ch2 = ndimage.gaussian_filter(np.asarray(img.dataobj, dtype=np.float32), 0.85)
    shape = target.shape
    ijk = np.stack(np.meshgrid(*(np.arange(n, dtype=np.float64) for n in shape), indexing="ij"), axis=-1)
    world = ijk @ target.affine[:3, :3].T + target.affine[:3, 3] + rng.uniform(-1.0, 1.0, size=3)
    voxel = (world - img.affine[:3, 3]) @ np.linalg.inv(img.affine[:3, :3]).T
    coords = [voxel[..., a] for a in range(3)]
    return ndimage.map_coordinates(ch2, coords, order=1, mode="constant", cval=0.0)


def slice_pool(shape):
    return [(axis, i) for axis in range(3) for i in range(MARGIN, shape[axis] - MARGIN)]


# --- the lesion generator --------------------------------------------------------------


def star_polygon(rng, rr, cc, centre, radius):
    """Angular star polygon: 5-9 vertices at jittered angles and radii, hard edge."""
    n = int(rng.integers(5, 10))
    angles = np.sort(rng.uniform(0, 2 * math.pi, n))
    radii = radius * rng.uniform(0.45, 1.0, n)
    theta = np.arctan2(rr - centre[0], cc - centre[1]) % (2 * math.pi)
    dist = np.hypot(rr - centre[0], cc - centre[1])
    # Piecewise-linear boundary radius between vertices, wrapping round.
    return dist <= np.interp(theta, angles, radii, period=2 * math.pi)


def foci(rng, rr, cc, centre, radius):
    """A cluster of 3-6 small discs within the radius."""
    mask = np.zeros(rr.shape, bool)
    for _ in range(int(rng.integers(3, 7))):
        d = rng.uniform(0, radius)
        t = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(1.4, 2.4)
        mask |= np.hypot(rr - centre[0] - d * math.sin(t), cc - centre[1] - d * math.cos(t)) <= r
    return mask


def band(rng, rr, cc, centre, radius):
    """A thin straight band: length ~2.4 radii, width 2-3 px, any angle."""
    t = rng.uniform(0, math.pi)
    along = (rr - centre[0]) * math.sin(t) + (cc - centre[1]) * math.cos(t)
    across = -(rr - centre[0]) * math.cos(t) + (cc - centre[1]) * math.sin(t)
    return (np.abs(along) <= radius * 1.2) & (np.abs(across) <= rng.uniform(1.0, 1.5))


SHAPES = (star_polygon, foci, band)


def add_lesion(rng, image, k):
    """Draws one lesion inside the brain of a uint8 slice; returns the new slice and its mask."""
    x = image.astype(np.float32)
    brain = ndimage.binary_erosion(ndimage.binary_fill_holes(x > 0.25 * x.max()), iterations=2)
    rr, cc = np.mgrid[0 : x.shape[0], 0 : x.shape[1]].astype(np.float32)
    radius = rng.uniform(3.0, 5.5)
    inside = np.flatnonzero(ndimage.binary_erosion(brain, iterations=int(radius)))
    if inside.size == 0:
        inside = np.flatnonzero(brain)
    centre = np.array(np.unravel_index(inside[rng.integers(inside.size)], x.shape), dtype=np.float32)
    mask = SHAPES[k % len(SHAPES)](rng, rr, cc, centre, radius) & brain
    # Contrast: a gain on the tissue that is there, brighter or darker.
    gain = rng.uniform(0.35, 0.6) * (1 if rng.random() < 0.5 else -1)
    # Texture: pixel-level speckle, or stripes two to three pixels apart.
    if (k // len(SHAPES)) % 2 == 0:
        texture = rng.uniform(-1.0, 1.0, x.shape)
    else:
        t = rng.uniform(0, math.pi)
        texture = np.sign(np.sin(2 * math.pi * (rr * math.sin(t) + cc * math.cos(t)) / rng.uniform(2.0, 3.0)))
    factor = 1.0 + gain + 0.2 * texture
    out = np.where(mask, x * factor, x)
    return np.round(np.clip(out, 0, 255)).astype(np.uint8), mask


def save(image, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(image, mode="L").save(path, optimize=True)


def main():
    rng = np.random.default_rng(SEED)
    shutil.rmtree(OUT, ignore_errors=True)
    other = nib.load(OTHER)
    held = to_uint8(np.asarray(other.dataobj, dtype=np.float32))
    pool = slice_pool(held.shape)

    # Fit: ch2 on the other brain's grid, four differently shifted resamplings, 40 slices among them.
    volumes = [to_uint8(ch2_on_grid(rng, other)) for _ in range(4)]
    for n, j in enumerate(rng.choice(len(pool) * len(volumes), FIT, replace=False)):
        axis, index = pool[j % len(pool)]
        save(cut(volumes[j // len(pool)], axis, index), os.path.join(OUT, "fit", f"ch2-{n + 1:02d}.png"))

    held_out = sorted(rng.choice(len(pool), HELD_OUT, replace=False))
    for n, j in enumerate(held_out):
        axis, index = pool[j]
        image = cut(held, axis, index)
        name = f"{'sag cor axi'.split()[axis]}-{index:02d}"
        save(image, os.path.join(OUT, "normal", f"{name}.png"))
        lesioned, mask = add_lesion(rng, image, n)
        save(lesioned, os.path.join(OUT, "lesion", f"{name}.png"))
        save(mask.astype(np.uint8) * 255, os.path.join(OUT, "masks", f"{name}.png"))
    rest = [j for j in range(len(pool)) if j not in set(held_out)]
    for n, j in enumerate(sorted(rng.choice(rest, min(FIT, len(rest)), replace=False))):
        axis, index = pool[j]
        save(cut(held, axis, index), os.path.join(OUT, "same", f"{'sag cor axi'.split()[axis]}-{index:02d}.png"))
    print(f"wrote {OUT}: {FIT} fit (ch2), {HELD_OUT} normal + {HELD_OUT} lesion (anatomical.nii), masks, same")


if __name__ == "__main__":
    main()

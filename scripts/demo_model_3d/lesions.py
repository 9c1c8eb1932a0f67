"""Synthetic tumours drawn into the 2 mm ch2 head (ch2 intensity units), in 3D.

The same three kinds as the 2D demo's (scripts/demo_model/lesions.py), drawn as
volumes: a glioma inside white matter with a necrotic core, an enhancing rim and
oedema; a meningioma against the inner skull, bright and homogeneous; a
pituitary mass in the sella. Each function edits `vol` in place and returns
where it drew (world mm) and its size.
"""
import math

import numpy as np
from scipy import ndimage

from .head import SELLA, Head

VOXEL_MM = 2.0


def _window(shape, centre, half):
    lo = [max(int(math.floor(c - half)), 0) for c in centre]
    hi = [min(int(math.ceil(c + half)) + 1, n) for c, n in zip(centre, shape)]
    sl = tuple(slice(a, b) for a, b in zip(lo, hi))
    grid = np.mgrid[sl].astype(np.float32)
    return sl, grid


def _texture(rng, shape, sigma):
    n = ndimage.gaussian_filter(rng.standard_normal(shape).astype(np.float32), sigma)
    return n / (n.std() + 1e-6)


def _soft(d, edge):
    return 0.5 * (1.0 + np.tanh(d / edge))


def _blob(rng, grid, centre, radius_mm, irregularity, axes=(1.0, 1.0, 1.0)):
    """Signed inside-distance (mm) to a lobulated ellipsoid: > 0 inside."""
    d = [(g - c) * VOXEL_MM / a for g, c, a in zip(grid, centre, axes)]
    rho = np.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2) + 1e-6
    theta = np.arccos(np.clip(d[2] / rho, -1, 1))
    phi = np.arctan2(d[1], d[0])
    boundary = np.ones_like(rho)
    for k in range(2, 5):
        amp = irregularity * rng.uniform(0.3, 1.0) / (k - 1)
        boundary += amp * np.cos(k * phi + rng.uniform(0, 2 * math.pi)) * np.sin(theta) ** 2
        boundary += 0.5 * amp * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    return radius_mm * boundary - rho


def _composite(vol, sl, mask, values):
    vol[sl] = vol[sl] * (1.0 - mask) + values * mask


def _world(head: Head, voxel):
    return (head.affine @ np.append(np.asarray(voxel, dtype=float), 1.0))[:3].round(1).tolist()


def add_glioma(rng, vol, head: Head):
    radius = rng.uniform(8.0, 18.0)
    ok = np.argwhere(head.glioma_ok & (head.depth >= 0.6 * radius + 4.0))
    centre = ok[rng.integers(len(ok))] + rng.uniform(-0.5, 0.5, 3)
    oedema_radius = radius * rng.uniform(1.3, 2.0)
    sl, grid = _window(vol.shape, centre, (oedema_radius * 1.4) / VOXEL_MM + 2)
    brain = head.smooth_brain[sl]
    oedema = _soft(_blob(rng, grid, centre, oedema_radius, 0.4), 3.0) * (0.35 + 0.65 * head.wm[sl]) * brain
    vol[sl] *= 1.0 - rng.uniform(0.2, 0.4) * oedema
    tumour = _soft(_blob(rng, grid, centre, radius, rng.uniform(0.15, 0.35)), 1.0) * brain
    texture = _texture(rng, tumour.shape, 1.0)
    if rng.random() < 0.75:
        rim = rng.uniform(2.0, 4.0)
        core = _soft(_blob(rng, grid, centre, max(radius - rim, 3.0), 0.3), 1.0)
        values = core * rng.uniform(25.0, 60.0) * (1 + 0.12 * texture) + (1 - core) * rng.uniform(125.0, 175.0) * (1 + 0.1 * texture)
    else:
        values = rng.uniform(30.0, 60.0) * (1 + 0.15 * texture) + np.clip(2 * (_texture(rng, tumour.shape, 1.5) - 1), 0, 1) * rng.uniform(40.0, 80.0)
    _composite(vol, sl, tumour, values)
    return {"centre_mm": _world(head, centre), "radius_mm": round(float(radius), 1)}


def add_meningioma(rng, vol, head: Head):
    radius = rng.uniform(8.0, 20.0)
    base = head.convexity[rng.integers(len(head.convexity))].astype(float)
    g = np.array([ndimage.map_coordinates(d, base[:, None], order=1)[0] for d in np.gradient(head.smooth_brain)])
    inward = g / (np.linalg.norm(g) + 1e-9)
    centre = base + inward * (radius / VOXEL_MM) * rng.uniform(-0.1, 0.35)
    sl, grid = _window(vol.shape, centre, 1.6 * radius / VOXEL_MM + 2)
    # Flattened against the dura: shorter along the inward direction.
    d = [(gr - c) * VOXEL_MM for gr, c in zip(grid, centre)]
    along = d[0] * inward[0] + d[1] * inward[1] + d[2] * inward[2]
    rho2 = d[0] ** 2 + d[1] ** 2 + d[2] ** 2
    flat = rng.uniform(0.65, 0.95)
    distance = radius - np.sqrt(np.maximum(rho2 - along**2, 0) + (along / flat) ** 2)
    tumour = _soft(distance, 0.7) * head.intracranial[sl]
    if rng.random() < 0.6:
        cleft = _soft(distance + 2.0, 0.6) - _soft(distance, 0.6)
        vol[sl] *= 1.0 - 0.35 * cleft * head.smooth_brain[sl]
    values = rng.uniform(130.0, 175.0) * (1 + 0.04 * _texture(rng, tumour.shape, 1.0))
    _composite(vol, sl, tumour, values)
    return {"centre_mm": _world(head, centre), "radius_mm": round(float(radius), 1)}


def add_pituitary(rng, vol, head: Head):
    radii = np.array([rng.uniform(5.0, 11.0), rng.uniform(4.0, 9.0), rng.uniform(5.0, 12.0)])
    world = SELLA + np.array([np.clip(rng.normal(0, 1.0), -2.5, 2.5), rng.uniform(-2, 2), radii[2] * rng.uniform(0.0, 0.4) - 3.0])
    centre = head.world_to_voxel(world)
    sl, grid = _window(vol.shape, centre, radii.max() * 1.5 / VOXEL_MM + 2)
    tumour = _soft(_blob(rng, grid, centre, 1.0, 0.05, axes=radii) * radii.min(), 0.7)
    values = rng.uniform(125.0, 175.0) * (1 + 0.06 * _texture(rng, tumour.shape, 0.8))
    _composite(vol, sl, tumour, values)
    return {"centre_mm": [round(float(v), 1) for v in world], "radius_mm": round(float(radii.max()), 1)}


ADD = {"glioma": add_glioma, "meningioma": add_meningioma, "pituitary": add_pituitary}

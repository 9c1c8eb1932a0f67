"""Synthetic lesions drawn into a 2D T1 plane (1 mm pixels, ch2 intensity units).

The three kinds differ the way they do on contrast T1 MRI:
  glioma      intra-axial, in white matter; lobulated; necrotic dark core with a
              bright enhancing rim (or a patchy hypointense mass); hypointense
              oedema spreading along white matter; mass effect.
  meningioma  extra-axial, on the convexity or the falx; round, sharp, homogeneous
              and bright; indents the brain; optional CSF cleft and dural tail.
  pituitary   small round/ovoid bright mass in the sella, visible only on the
              slices that cut through it.
Each function edits `img` in place and returns the parameters it drew.
"""
import math

import numpy as np
from scipy import ndimage

from .volume import Brain, Orientation, Plane

# Reference intensities measured on ch2 (see volume.WM_THRESHOLD).
WHITE_MATTER = 112.0

# Sella turcica in MNI mm, read off ch2: the fossa floor (top of the sphenoid
# sinus) is at z ~ -33, the gland sits at x = 0, y ~ +3 above it.
SELLA_X, SELLA_Y, SELLA_FLOOR_Z = 0.0, 3.0, -33.0
SELLA_CENTRE = (SELLA_X, SELLA_Y, SELLA_FLOOR_Z + 5.0)
MENINGIOMA_MIN_DIST_TO_SELLA = 25.0  # keep the two bright-mass classes apart
PITUITARY_MIN_SECTION = 4.0  # mm: smallest in-plane radius that counts as visible


# --- building blocks -------------------------------------------------------------


class Window:
    """A square crop of a plane around a point, with absolute pixel coordinates."""

    def __init__(self, shape, centre, half):
        r0 = max(int(math.floor(centre[0] - half)), 0)
        c0 = max(int(math.floor(centre[1] - half)), 0)
        r1 = min(int(math.ceil(centre[0] + half)) + 1, shape[0])
        c1 = min(int(math.ceil(centre[1] + half)) + 1, shape[1])
        self.sl = (slice(r0, r1), slice(c0, c1))
        self.rr, self.cc = np.mgrid[r0:r1, c0:c1].astype(np.float32)


def smooth_noise(rng, shape, sigma):
    """Unit-variance smooth random texture."""
    n = ndimage.gaussian_filter(rng.standard_normal(shape).astype(np.float32), sigma)
    return n / (n.std() + 1e-6)


def soft(d, edge):
    """0..1 mask from a signed inside-distance d (mm); edge sets the blur width."""
    return 0.5 * (1.0 + np.tanh(d / edge))


def blob_distance(rng, win, centre, radius, irregularity, aspect=1.0, angle=0.0):
    """Signed inside-distance to a lobulated ellipse: >0 inside, <0 outside.

    The boundary radius wobbles with a few random angular harmonics; the
    irregularity sets how lobulated it is.
    """
    dr, dc = win.rr - centre[0], win.cc - centre[1]
    ca, sa = math.cos(angle), math.sin(angle)
    u = ca * dr + sa * dc  # along the major axis
    v = (-sa * dr + ca * dc) / aspect  # minor axis, stretched to a circle
    rho = np.sqrt(u * u + v * v)
    theta = np.arctan2(v, u)
    boundary = np.ones_like(theta)
    for k in range(2, 6):
        amp = irregularity * rng.uniform(0.3, 1.0) / (k - 1)
        boundary += amp * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    return radius * boundary - rho


def mass_effect(img, win, centre, radius, strength, weight=None):
    """Push tissue radially away from `centre` (peak shift `strength` mm at `radius`).

    The shift profile x*exp((1-x^2)/2) is smooth and, for strength < 0.6*radius,
    invertible, so no tissue folds over itself.
    """
    dr, dc = win.rr - centre[0], win.cc - centre[1]
    rho = np.sqrt(dr * dr + dc * dc) + 1e-3
    x = rho / radius
    shift = strength * x * np.exp(0.5 * (1.0 - x * x))
    if weight is not None:
        shift = shift * weight
    src = [win.rr - shift * dr / rho, win.cc - shift * dc / rho]
    img[win.sl] = ndimage.map_coordinates(img, src, order=1, mode="nearest")


def composite(img, win, mask, values):
    region = img[win.sl]
    img[win.sl] = region * (1.0 - mask) + values * mask


def soft_mask(mask, sigma):
    return ndimage.gaussian_filter(mask.astype(np.float32), sigma)


def cached(plane: Plane, key, fn):
    if key not in plane.cache:
        plane.cache[key] = fn()
    return plane.cache[key]


# --- glioma ----------------------------------------------------------------------


def add_glioma(rng, img, plane: Plane):
    """Intra-axial tumour seeded in supratentorial white matter. None if it cannot fit."""
    radius = rng.uniform(7.0, 18.0)
    depth = cached(plane, "brain_edt", lambda: ndimage.distance_transform_edt(plane.brain))
    ok = np.flatnonzero(plane.glioma_ok & (depth >= 0.6 * radius + 3.0))
    if ok.size == 0:
        return None
    r, c = np.unravel_index(ok[rng.integers(ok.size)], img.shape)
    centre = (r + rng.uniform(-0.5, 0.5), c + rng.uniform(-0.5, 0.5))
    oedema_radius = radius * rng.uniform(1.3, 2.1)
    win = Window(img.shape, centre, oedema_radius * 1.5 + radius)
    brain_soft = soft_mask(plane.brain, 1.0)[win.sl]

    mass_effect(img, win, centre, radius, rng.uniform(0.2, 0.4) * radius, weight=brain_soft)

    # Oedema: a diffuse, irregular hypointense halo that favours white matter.
    oedema = soft(blob_distance(rng, win, centre, oedema_radius, 0.45), 3.0)
    oedema *= (0.35 + 0.65 * plane.wm[win.sl]) * brain_soft
    img[win.sl] *= 1.0 - rng.uniform(0.2, 0.4) * oedema

    outer = blob_distance(rng, win, centre, radius, rng.uniform(0.15, 0.35))
    tumour = soft(outer, 1.0) * brain_soft
    texture = smooth_noise(rng, tumour.shape, 1.5)
    ring = rng.random() < 0.75
    if ring:
        # Ring enhancement: necrotic core + irregular bright rim.
        rim = rng.uniform(1.5, 4.0)
        core = soft(blob_distance(rng, win, centre, max(radius - rim, 2.0), 0.3), 1.0)
        necrosis = rng.uniform(25.0, 60.0) * (1.0 + 0.12 * texture)
        rim_value = rng.uniform(125.0, 175.0) * (1.0 + 0.12 * smooth_noise(rng, tumour.shape, 1.0))
        values = core * necrosis + (1.0 - core) * rim_value
    else:
        # Solid, heterogeneous hypointense mass with patchy enhancement.
        values = rng.uniform(30.0, 60.0) * (1.0 + 0.15 * texture)
        patches = np.clip(2.0 * (smooth_noise(rng, tumour.shape, 2.0) - 1.0), 0.0, 1.0)
        values = values + patches * rng.uniform(40.0, 80.0)
    composite(img, win, tumour, values)
    return {"radius": round(float(radius), 1), "ring": bool(ring)}


# --- meningioma ------------------------------------------------------------------


def convexity_points(plane: Plane):
    """Brain-surface pixels that face the skull (not deep sulci or the base cisterns)."""
    brain = plane.brain
    disk = _disk(10)
    hull = ndimage.binary_fill_holes(ndimage.binary_closing(np.pad(brain, 12), disk))[12:-12, 12:-12]
    surface = brain & ~ndimage.binary_erosion(brain)
    near_hull = ndimage.distance_transform_edt(hull) <= 3.0
    return np.argwhere(surface & near_hull)


def intracranial(plane: Plane):
    """Brain plus the CSF/dura rim around it: where an extra-axial mass can be."""
    closed = ndimage.binary_fill_holes(ndimage.binary_closing(np.pad(plane.brain, 8), _disk(6)))[8:-8, 8:-8]
    return soft_mask(ndimage.binary_dilation(closed, iterations=3), 0.8)


def _disk(r):
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    return x * x + y * y <= r * r


def add_meningioma(rng, img, plane: Plane, brain: Brain, o: Orientation, index: int):
    """Extra-axial mass against the inner skull or the falx. None if no site fits."""
    radius = rng.uniform(7.0, 20.0)
    falx_sites = _falx_points(plane, brain, o, index)
    if falx_sites.size and rng.random() < 0.25:
        base = falx_sites[rng.integers(len(falx_sites))].astype(float)
        side = 1.0 if rng.random() < 0.5 else -1.0
        inward = np.array([0.0, side])  # across the midline, into one hemisphere
        tangent = np.array([1.0, 0.0])  # the falx runs along image rows here
        kind = "falx"
    else:
        sites = cached(plane, "convexity", lambda: convexity_points(plane))
        sites = _far_from_sella(sites, brain, o, index)
        if sites.size == 0:
            return None
        base = sites[rng.integers(len(sites))].astype(float)
        smooth = cached(plane, "brain_smooth", lambda: ndimage.gaussian_filter(plane.brain.astype(np.float32), 3.0))
        g = np.array([ndimage.map_coordinates(d, base[:, None], order=1)[0] for d in np.gradient(smooth)])
        if np.linalg.norm(g) < 1e-6:
            return None
        inward = g / np.linalg.norm(g)  # the smoothed brain mask increases inward
        tangent = np.array([-inward[1], inward[0]])
        kind = "convexity"
    centre = base + inward * radius * rng.uniform(-0.15, 0.35)
    win = Window(img.shape, centre, 2.6 * radius)
    brain_soft = soft_mask(plane.brain, 1.5)[win.sl]
    inside_skull = cached(plane, "intracranial", lambda: intracranial(plane))[win.sl]

    # Brain is pushed away from the mass; skull and scalp stay put.
    mass_effect(img, win, centre, radius, rng.uniform(0.3, 0.5) * radius, weight=brain_soft)

    # Flattened against the dura: the short axis points into the brain.
    angle = math.atan2(tangent[1], tangent[0])
    dist = blob_distance(rng, win, centre, radius, 0.04, aspect=rng.uniform(0.7, 1.0), angle=angle)
    tumour = soft(dist, 0.6) * inside_skull
    if rng.random() < 0.6:  # thin dark CSF cleft around an extra-axial mass
        cleft = soft(dist + 1.6, 0.5) - soft(dist, 0.5)
        img[win.sl] *= 1.0 - 0.35 * cleft * brain_soft
    value = rng.uniform(130.0, 175.0)
    values = value * (1.0 + 0.04 * smooth_noise(rng, tumour.shape, 1.5))
    composite(img, win, tumour, values)
    tail = rng.random() < 0.5
    if tail:
        _dural_tail(rng, img, win, base - inward * 1.0, tangent, inward, radius, 0.9 * value, inside_skull)
    return {"radius": round(float(radius), 1), "site": kind, "tail": bool(tail)}


def _dural_tail(rng, img, win, base, tangent, inward, radius, value, inside_skull):
    """A thin enhancing strip tapering away along the dura from the tumour edge."""
    dr, dc = win.rr - base[0], win.cc - base[1]
    along = dr * tangent[0] + dc * tangent[1]
    across = dr * inward[0] + dc * inward[1]
    start, length = 0.8 * radius, radius * rng.uniform(0.5, 1.0)
    sides = [1.0, -1.0] if rng.random() < 0.5 else [rng.choice([1.0, -1.0])]
    strip = np.zeros_like(along)
    for s in sides:
        a = s * along
        taper = np.clip(1.0 - (a - start) / length, 0.0, 1.0) * (a > 0.5 * radius)
        strip = np.maximum(strip, soft(1.6 * taper - np.abs(across), 0.4) * (taper > 0))
    composite(img, win, strip * inside_skull, value)


def _falx_points(plane: Plane, brain: Brain, o: Orientation, index: int):
    """Midline points high in the interhemispheric fissure (axial/coronal only)."""
    if o.name == "sagittal":
        return np.empty((0, 2))
    _, _, mid_col = brain.world_to_plane(o, (0.0, 0.0, 0.0))
    col = int(round(mid_col))
    rows = np.flatnonzero(plane.brain[:, col - 4] & plane.brain[:, col + 4])
    if o.name == "coronal":
        # Above the corpus callosum: world z >= +30 mm.
        _, z_row, _ = brain.world_to_plane(o, (0.0, 0.0, 30.0))
        rows = rows[rows <= z_row]
    elif brain.slice_to_world(o, index) < 30.0:
        return np.empty((0, 2))
    if rows.size < 10:
        return np.empty((0, 2))
    rows = rows[5:-5]  # not right at the frontal/occipital poles
    return np.stack([rows, np.full_like(rows, col)], axis=1)


def _far_from_sella(points, brain: Brain, o: Orientation, index: int):
    if points.size == 0:
        return points
    s, r, c = brain.world_to_plane(o, SELLA_CENTRE)
    d2 = (points[:, 0] - r) ** 2 + (points[:, 1] - c) ** 2 + (index - s) ** 2
    return points[d2 >= MENINGIOMA_MIN_DIST_TO_SELLA**2]


# --- pituitary -------------------------------------------------------------------


def sample_pituitary(rng):
    """A sellar mass in MNI mm: centre and semi-axes (x, y, z), growing upward from the floor."""
    radii = np.array([rng.uniform(5.0, 11.0), rng.uniform(4.0, 9.0), rng.uniform(5.0, 12.0)])
    centre = np.array(
        [
            np.clip(rng.normal(SELLA_X, 1.0), -2.5, 2.5),
            rng.uniform(SELLA_Y - 2.0, SELLA_Y + 2.0),
            SELLA_FLOOR_Z + radii[2] * rng.uniform(0.75, 1.0),
        ]
    )
    return centre, radii


def pituitary_section(brain: Brain, o: Orientation, index: int, centre, radii):
    """The ellipse where this slice cuts the mass: (row, col, row_radius, col_radius) or None."""
    depth = brain.slice_to_world(o, index) - centre[o.normal]
    frac = 1.0 - (depth / radii[o.normal]) ** 2
    if frac <= 0:
        return None
    scale = math.sqrt(frac)
    r_row, r_col = radii[o.row_axis] * scale, radii[o.col_axis] * scale
    if min(r_row, r_col) < PITUITARY_MIN_SECTION:
        return None
    _, row, col = brain.world_to_plane(o, centre)
    return row, col, r_row, r_col


def add_pituitary(rng, img, plane: Plane, section):
    row, col, r_row, r_col = section
    centre = (row, col)
    radius = max(r_row, r_col)
    win = Window(img.shape, centre, 2.5 * radius)
    mass_effect(img, win, centre, radius, rng.uniform(0.1, 0.25) * radius, weight=soft_mask(plane.head, 1.0)[win.sl])
    # Major axis along rows when the mass is taller than wide.
    angle = 0.0 if r_row >= r_col else math.pi / 2
    aspect = min(r_row, r_col) / radius
    tumour = soft(blob_distance(rng, win, centre, radius, 0.06, aspect=aspect, angle=angle), 0.7)
    values = rng.uniform(125.0, 175.0) * (1.0 + 0.06 * smooth_noise(rng, tumour.shape, 1.2))
    composite(img, win, tumour, values)
    return {"radius": round(float(radius), 1)}

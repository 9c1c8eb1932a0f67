"""The one real brain we have: the Colin27 "ch2" T1 template, cut into 2D planes.

Everything here is deterministic: masks and planes are derived from files that
ship with the mricron package and are never copied into the repository.
"""
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
from scipy import ndimage

TEMPLATES = "/usr/share/mricron/templates"
T1_PATH = f"{TEMPLATES}/ch2.nii.gz"
BET_PATH = f"{TEMPLATES}/ch2bet.nii.gz"  # brain-extracted ch2: where brain tissue is
AAL_PATH = f"{TEMPLATES}/aal.nii.gz"  # AAL atlas in the same MNI grid: used only to find the cerebellum

WM_THRESHOLD = 100.0  # ch2 T1: white matter ~112, grey ~84, CSF ~34 (measured)
MIN_BRAIN_FRACTION = 0.40  # a usable slice has at least 40% of the largest brain cross-section


@dataclass(frozen=True)
class Orientation:
    """How a display plane is cut from the RAS voxel grid.

    rows go top -> bottom of the displayed image, columns left -> right; a flip
    means the voxel index decreases along the display axis.
    """

    name: str
    normal: int  # voxel axis the slice index runs along
    row_axis: int
    col_axis: int
    row_flip: bool
    col_flip: bool


# Radiological display: patient right on image left, anterior/superior on top,
# sagittal with the face to the left.
ORIENTATIONS = (
    Orientation("axial", normal=2, row_axis=1, col_axis=0, row_flip=True, col_flip=True),
    Orientation("coronal", normal=1, row_axis=2, col_axis=0, row_flip=True, col_flip=True),
    Orientation("sagittal", normal=0, row_axis=2, col_axis=1, row_flip=True, col_flip=True),
)


@dataclass
class Plane:
    """One 2D slice with the masks the lesion generators need (1 mm pixels)."""

    t1: np.ndarray  # float32 T1 intensities (ch2 units, 0..254)
    brain: np.ndarray  # bool, brain tissue (from ch2bet)
    glioma_ok: np.ndarray  # bool, supratentorial white matter: where a glioma may start
    wm: np.ndarray  # float32 0..1, smooth white-matter weight (oedema spreads along it)
    head: np.ndarray  # bool, anything that is not air
    cache: dict = field(default_factory=dict)  # lazily computed extras


class Brain:
    """ch2 plus derived masks; hands out display planes by (orientation, index)."""

    def __init__(self):
        img = nib.load(T1_PATH)
        self.affine = img.affine
        self.inv_affine = np.linalg.inv(img.affine)
        self.t1 = np.asarray(img.dataobj, dtype=np.float32)
        self.shape = self.t1.shape
        self.brain = np.asarray(nib.load(BET_PATH).dataobj) > 0
        self.head = ndimage.binary_fill_holes(ndimage.gaussian_filter(self.t1, 1.0) > 20)
        self.wm_soft, self.glioma_ok = self._white_matter()
        # Reference for 8-bit rendering: the bright end of the head (scalp fat).
        self.display_max = float(np.percentile(self.t1[self.head], 99.5))
        self._planes = {}

    def _white_matter(self):
        smooth = ndimage.gaussian_filter(self.t1, 1.0)
        wm = self.brain & (smooth > WM_THRESHOLD)
        wm_soft = ndimage.gaussian_filter(wm.astype(np.float32), 1.5)
        # Gliomas here are supratentorial: no cerebellum (AAL labels 91..116),
        # no brainstem (a box around it in MNI mm), nothing below the temporal lobes.
        aal = np.asarray(nib.load(AAL_PATH).dataobj)
        cerebellum = ndimage.binary_dilation(aal >= 91, iterations=3)
        x, y, z = self.world_grid()
        brainstem = (np.abs(x) < 14) & (y > -45) & (y < -5) & (z < 0)
        glioma_ok = wm & ~cerebellum & ~brainstem & (z > -30)
        return wm_soft, glioma_ok

    def world_grid(self):
        """World (MNI mm) coordinates of every voxel, as three broadcastable arrays."""
        i, j, k = (np.arange(n, dtype=np.float32) for n in self.shape)
        a = self.affine
        # ch2's affine is a pure 1 mm translation, so axes are separable.
        assert np.allclose(a[:3, :3], np.eye(3)), "expected an axis-aligned 1 mm grid"
        return (i[:, None, None] + a[0, 3], j[None, :, None] + a[1, 3], k[None, None, :] + a[2, 3])

    # --- coordinates -------------------------------------------------------------

    def world_to_voxel(self, xyz):
        return (self.inv_affine @ np.append(np.asarray(xyz, dtype=float), 1.0))[:3]

    def world_to_plane(self, o: Orientation, xyz):
        """World mm -> (slice index along the normal, row, col) in display coordinates."""
        v = self.world_to_voxel(xyz)
        row = (self.shape[o.row_axis] - 1 - v[o.row_axis]) if o.row_flip else v[o.row_axis]
        col = (self.shape[o.col_axis] - 1 - v[o.col_axis]) if o.col_flip else v[o.col_axis]
        return v[o.normal], row, col

    def slice_to_world(self, o: Orientation, index: int) -> float:
        """World mm of a slice along its normal axis."""
        return float(index + self.affine[o.normal, 3])

    # --- planes ------------------------------------------------------------------

    def _cut(self, vol, o: Orientation, index: int):
        plane = np.take(vol, index, axis=o.normal)
        # Remaining axes keep their order; make (row, col) from them.
        rest = [a for a in range(3) if a != o.normal]
        if rest.index(o.row_axis) != 0:
            plane = plane.T
        if o.row_flip:
            plane = plane[::-1, :]
        if o.col_flip:
            plane = plane[:, ::-1]
        return np.ascontiguousarray(plane)

    def plane(self, o: Orientation, index: int) -> Plane:
        key = (o.name, index)
        if key not in self._planes:
            self._planes[key] = Plane(
                t1=self._cut(self.t1, o, index),
                brain=self._cut(self.brain, o, index),
                glioma_ok=self._cut(self.glioma_ok, o, index),
                wm=self._cut(self.wm_soft, o, index),
                head=self._cut(self.head, o, index),
            )
        return self._planes[key]

    def usable_slices(self, o: Orientation) -> np.ndarray:
        """Slice indices with enough brain: skips the nearly empty ends."""
        other = tuple(a for a in range(3) if a != o.normal)
        area = self.brain.sum(axis=other)
        return np.flatnonzero(area >= MIN_BRAIN_FRACTION * area.max())

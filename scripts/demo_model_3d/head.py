"""The Colin27 "ch2" head (mricron-data) on a 2 mm grid, with the masks the 3D lesions need.

A 2 mm grid, because the 3D demo model reads volumes at 6 mm: ScanLens' linear
resampling from 2 mm to 6 mm keeps every third voxel exactly, so a volume made
here and subsampled [::3] is what ScanLens gives the model.
Deterministic; nothing is copied into the repository.
"""
import nibabel as nib
import numpy as np
from scipy import ndimage

TEMPLATES = "/usr/share/mricron/templates"
WM_THRESHOLD = 100.0  # ch2 T1: white matter ~112, grey ~84, CSF ~34
# Sella turcica in MNI mm (read off ch2): the gland sits above the fossa floor at z ~ -33.
SELLA = np.array([0.0, 3.0, -28.0])


class Head:
    def __init__(self):
        t1 = nib.load(f"{TEMPLATES}/ch2.nii.gz")
        full = np.asarray(t1.dataobj, dtype=np.float32)
        # Anti-aliased 1 mm -> 2 mm: a Gaussian of ~1 output voxel, then every other voxel.
        self.t1 = ndimage.gaussian_filter(full, 0.85)[::2, ::2, ::2].copy()
        self.affine = t1.affine.copy()
        self.affine[:3, :3] *= 2.0
        bet = np.asarray(nib.load(f"{TEMPLATES}/ch2bet.nii.gz").dataobj, dtype=np.float32)
        self.brain = ndimage.gaussian_filter(bet, 0.85)[::2, ::2, ::2] > 10
        self.shape = self.t1.shape
        smooth = ndimage.gaussian_filter(self.t1, 0.5)
        wm = self.brain & (smooth > WM_THRESHOLD)
        self.wm = ndimage.gaussian_filter(wm.astype(np.float32), 1.0)
        x, y, z = self.world_grid()
        aal = np.asarray(nib.load(f"{TEMPLATES}/aal.nii.gz").dataobj)[::2, ::2, ::2]
        cerebellum = ndimage.binary_dilation(aal >= 91, iterations=2)
        brainstem = (np.abs(x) < 14) & (y > -45) & (y < -5) & (z < 0)
        self.depth = ndimage.distance_transform_edt(self.brain) * 2.0  # mm to the brain's edge
        self.glioma_ok = wm & ~cerebellum & ~brainstem & (z > -30)
        closed = ndimage.binary_fill_holes(ndimage.binary_closing(np.pad(self.brain, 6), iterations=4))[6:-6, 6:-6, 6:-6]
        self.intracranial = ndimage.gaussian_filter(ndimage.binary_dilation(closed, iterations=2).astype(np.float32), 0.5)
        surface = self.brain & ~ndimage.binary_erosion(self.brain)
        hull_distance = ndimage.distance_transform_edt(closed)  # voxels inside the closed brain to its edge
        far_from_sella = np.sqrt((x - SELLA[0]) ** 2 + (y - SELLA[1]) ** 2 + (z - SELLA[2]) ** 2) > 30
        # Convexity: brain surface near the closed hull (not deep sulci), above the skull base.
        self.convexity = np.argwhere(surface & (hull_distance <= 2) & far_from_sella & (z > -20))
        self.smooth_brain = ndimage.gaussian_filter(self.brain.astype(np.float32), 2.0)

    def world_grid(self):
        i, j, k = (np.arange(n, dtype=np.float32) for n in self.shape)
        a = self.affine
        assert np.allclose(a[:3, :3], 2.0 * np.eye(3)), "expected an axis-aligned 2 mm grid"
        return (2 * i[:, None, None] + a[0, 3], 2 * j[None, :, None] + a[1, 3], 2 * k[None, None, :] + a[2, 3])

    def world_to_voxel(self, xyz):
        return (np.linalg.inv(self.affine) @ np.append(np.asarray(xyz, dtype=float), 1.0))[:3]

#!/usr/bin/python3
"""Pixel-level baselines and an oracle on the held-out different-brain check (docs/anomaly.md).

    /usr/bin/python3 scripts/reference/heldout_brain_baselines.py baselines [FIXTURES]
    /usr/bin/python3 scripts/reference/heldout_brain_baselines.py normalise FIXTURES OUT pct|rz

FIXTURES defaults to test/fixtures/heldout-brain (made by make_heldout_brain.py). `baselines`
prints one AUROC line per method for fitting on fit/ (ch2: "cross") and on same/ ("same"),
scoring normal/ against lesion/, so a detector's number can be read against simple ones:

- no fit: the largest local energy of the residual from a 3x3 median (texture and hard edges);
- retrieval + patch matching (SPADE-like, Cohen & Hoshen 2020, on pixels): the k fitted slices
  of the same shape nearest in pixels, each pixel's 3x3 patch matched to their patches within
  +-2 px, the smoothed distance map's maximum;
- neighbour prediction: the slice predicted from the fitted slices nearest it (least squares),
  the smoothed absolute residual's maximum;
- raw-pixel PatchCore: nearest-neighbour distance of each p x p patch to every fitted patch;
- oracle: the scored brain's own slices i-1 and i+1 (read from anatomical.nii, which neither
  protocol gives a detector) averaged as the prediction of slice i: an easy upper reference.

Slices are divided by the median of their brain (values over a quarter of the maximum) first.
`normalise` writes a copy of the fixtures with each slice scaled by its brain's 1st-99th
percentiles (pct) or by a robust z-score (rz: median 128, one MAD-sigma 40 grey levels), to
measure per-slice intensity normalisation with scripts/measure_heldout_brain.ts
(HELDOUT_FIXTURES=OUT). The inia19 macaque template is never read.
"""
import os
import sys

import nibabel as nib
import numpy as np
from PIL import Image
from scipy import ndimage
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OTHER = "/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii"
AXES = {"sag": 0, "cor": 1, "axi": 2}


def load(path):
    return np.asarray(Image.open(path)).astype(np.float32)


def files(fixtures, folder):
    return [os.path.join(fixtures, folder, n) for n in sorted(os.listdir(os.path.join(fixtures, folder)))]


def brain(x):
    return x > 0.25 * x.max()


def by_median(x):
    return x / np.median(x[brain(x)])


def patches(x, p):
    v = np.lib.stride_tricks.sliding_window_view(np.pad(x, p // 2, mode="reflect"), (p, p))
    return v.reshape(x.shape[0], x.shape[1], p * p)


def median_residual_energy(x, _refs):
    r = x - ndimage.median_filter(x, 3, mode="reflect")
    return ndimage.gaussian_filter(r * r, 2.0).max()


def nearest(x, refs, k):
    same = [z for z in refs if z.shape == x.shape]
    return [same[i] for i in np.argsort([np.mean((z - x) ** 2) for z in same])[:k]]


def patch_matching(x, refs, p=3, r=2, k=3):
    P = patches(x, p)
    h, w, _ = P.shape
    best = np.full((h, w), np.inf, np.float32)
    for z in nearest(x, refs, k):
        Q = np.pad(patches(z, p), ((r, r), (r, r), (0, 0)), mode="edge")
        for dy in range(2 * r + 1):
            for dx in range(2 * r + 1):
                best = np.minimum(best, ((P - Q[dy : dy + h, dx : dx + w]) ** 2).sum(-1))
    return ndimage.gaussian_filter(np.sqrt(best), 1.0).max()


def neighbour_prediction(x, refs, k=3):
    A = np.stack([z.ravel() for z in nearest(x, refs, k)] + [np.ones(x.size)], axis=1)
    fit = A @ np.linalg.lstsq(A, x.ravel(), rcond=None)[0]
    return ndimage.gaussian_filter(np.abs(x.ravel() - fit).reshape(x.shape), 1.5).max()


def auroc(fixtures, score, fit):
    refs = [by_median(load(f)) for f in files(fixtures, fit)]
    scores, labels = [], []
    for folder, label in (("normal", 0), ("lesion", 1)):
        for f in files(fixtures, folder):
            scores.append(score(by_median(load(f)), refs))
            labels.append(label)
    return roc_auc_score(labels, scores)


def raw_patchcore(fixtures, fit, p):
    bank = np.concatenate([patches(by_median(load(f)), p).reshape(-1, p * p) for f in files(fixtures, fit)])
    nn = NearestNeighbors(n_neighbors=1).fit(bank)
    scores, labels = [], []
    for folder, label in (("normal", 0), ("lesion", 1)):
        for f in files(fixtures, folder):
            x = by_median(load(f))
            d = nn.kneighbors(patches(x, p).reshape(-1, p * p))[0][:, 0].reshape(x.shape)
            scores.append(ndimage.gaussian_filter(d, 1.0).max())
            labels.append(label)
    return roc_auc_score(labels, scores)


def oracle(fixtures):
    v = np.asarray(nib.load(OTHER).dataobj, dtype=np.float32)
    v = np.round(np.clip(v / np.percentile(v[v > 0], 99.5), 0, 1) * 255)  # as make_heldout_brain.to_uint8

    def cut(axis, i):
        return np.ascontiguousarray(np.rot90(np.take(v, i, axis=axis)))

    scores, labels = [], []
    for folder, label in (("normal", 0), ("lesion", 1)):
        for f in files(fixtures, folder):
            name = os.path.basename(f)
            axis, i = AXES[name[:3]], int(name[4:6])
            predicted = (cut(axis, i - 1) + cut(axis, i + 1)) / 2
            scores.append(ndimage.gaussian_filter(np.abs(load(f) - predicted), 1.5).max())
            labels.append(label)
    return roc_auc_score(labels, scores)


def baselines(fixtures):
    for name, score in (
        ("no fit: median-residual energy", median_residual_energy),
        ("retrieval + 3x3 patch matching within 2 px, k=3", patch_matching),
        ("neighbour prediction, k=3 least squares", neighbour_prediction),
    ):
        print(f"{name}: cross {auroc(fixtures, score, 'fit'):.3f}, same {auroc(fixtures, score, 'same'):.3f}", flush=True)
    for p in (3, 5, 7):
        print(f"raw-pixel PatchCore {p}x{p}: cross {raw_patchcore(fixtures, 'fit', p):.3f}, same {raw_patchcore(fixtures, 'same', p):.3f}", flush=True)
    print(f"oracle (the scored brain's slices i-1, i+1): {oracle(fixtures):.3f}")


def normalise(fixtures, out, how):
    for folder in ("fit", "same", "normal", "lesion", "masks"):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        for f in files(fixtures, folder):
            x = load(f)
            if folder != "masks":
                b = x[brain(x)]
                if how == "pct":
                    low, high = np.percentile(b, [1, 99])
                    x = (x - low) / (high - low) * 255
                else:
                    m = np.median(b)
                    x = 128 + 40 * (x - m) / (1.4826 * np.median(np.abs(b - m)))
            Image.fromarray(np.round(np.clip(x, 0, 255)).astype(np.uint8)).save(os.path.join(out, folder, os.path.basename(f)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["normalise"] and len(sys.argv) == 5 and sys.argv[4] in ("pct", "rz"):
        normalise(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1:2] == ["baselines"]:
        baselines(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "test", "fixtures", "heldout-brain"))
    else:
        sys.exit(__doc__)

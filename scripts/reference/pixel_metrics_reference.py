#!/usr/bin/python3
"""Pixel-level anomaly metrics as anomalib defines them, in numpy/scipy/sklearn, for ScanLens's tests.

    /usr/bin/python3 scripts/reference/pixel_metrics_reference.py   # from the repository root

writes test/fixtures/anomaly/pixel-metrics.json, which test/core/anomaly/pixelMetrics.test.ts
compares ScanLens against (pixel AUROC within 1e-6, AUPRO within 1e-4).

- Pixel AUROC: the ROC AUC over every pixel of every image, ground-truth mask pixel = positive
  (anomalib's pixel_AUROC; sklearn.metrics.roc_auc_score on the flattened maps and masks).
- AUPRO (anomalib's AUPRO, after Bergmann et al., MVTec AD): the ground-truth masks' connected
  components, per image and 8-connected (anomalib labels with cv2.connectedComponents, whose
  default connectivity is 8; here scipy.ndimage.label with a 3x3 structure). For each threshold t
  on the scores, the per-region overlap PRO(t) is the mean over all regions of all images of the
  fraction of the region's pixels scoring >= t, and FPR(t) is the fraction of all normal pixels
  (outside every mask) scoring >= t. The PRO-over-FPR curve, from (0, 0), is integrated with the
  trapezoid rule up to FPR 0.3 (the curve interpolated linearly at 0.3) and divided by 0.3.

This file sweeps every distinct score as a threshold directly (a slow, plain restatement of the
definition); ScanLens computes the same curve in one sorted pass. Maps are float32 values, so the
fixture holds exactly what ScanLens's float32 maps hold.
"""
import json
import os

import numpy as np
from scipy import ndimage
from sklearn.metrics import roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "anomaly", "pixel-metrics.json")
FPR_LIMIT = 0.3
EIGHT_CONNECTED = np.ones((3, 3), dtype=int)


def regions(masks):
    """Every 8-connected component of every mask, as a boolean array over the stacked images."""
    out = []
    for i, mask in enumerate(masks):
        labelled, count = ndimage.label(mask, structure=EIGHT_CONNECTED)
        for k in range(1, count + 1):
            region = np.zeros(masks.shape, dtype=bool)
            region[i] = labelled == k
            out.append(region)
    return out


def aupro(maps, masks, limit=FPR_LIMIT):
    parts = regions(masks)
    normal = masks == 0
    fpr = [0.0]
    pro = [0.0]
    for t in np.unique(maps)[::-1]:
        flagged = maps >= t
        fpr.append(flagged[normal].mean())
        pro.append(np.mean([flagged[r].mean() for r in parts]))
    fpr = np.array(fpr)
    pro = np.array(pro)
    inside = fpr <= limit
    x = list(fpr[inside])
    y = list(pro[inside])
    if x[-1] < limit:
        k = np.argmax(fpr > limit)
        y.append(pro[k - 1] + (pro[k] - pro[k - 1]) * (limit - fpr[k - 1]) / (fpr[k] - fpr[k - 1]))
        x.append(limit)
    return float(np.trapz(y, x) / limit), len(parts)


def blob_masks(rng, count, height, width, blobs):
    masks = np.zeros((count, height, width), dtype=np.uint8)
    for i in range(count):
        for _ in range(blobs[i]):
            cy, cx = rng.integers(2, height - 2), rng.integers(2, width - 2)
            ry, rx = rng.uniform(1.0, 4.0, size=2)
            yy, xx = np.mgrid[:height, :width]
            masks[i][((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = 1
    return masks


def case(name, rng, height, width, blobs, signal, quantum=None):
    """Images with elliptic lesions (some none); scores = smoothed noise + signal inside the masks."""
    masks = blob_masks(rng, len(blobs), height, width, blobs)
    if name.startswith("diagonal"):
        # Two squares touching only at a corner: one region 8-connected (two if 4-connected).
        masks[0, 3:6, 3:6] = 1
        masks[0, 6:9, 6:9] = 1
    noise = ndimage.gaussian_filter(rng.normal(size=masks.shape), sigma=(0, 1.5, 1.5))
    maps = noise + signal * ndimage.gaussian_filter(masks.astype(float), sigma=(0, 1, 1))
    if quantum:
        maps = np.round(maps / quantum) * quantum  # many ties
    maps = maps.astype(np.float32)
    value, count = aupro(maps, masks)
    return {
        "name": name,
        "width": width,
        "height": height,
        "maps": [m.ravel().astype(float).tolist() for m in maps],
        "masks": [m.ravel().astype(int).tolist() for m in masks],
        "regions": count,
        "pixelAuroc": float(roc_auc_score(masks.ravel(), maps.ravel())),
        "aupro": value,
    }


def main():
    rng = np.random.default_rng(20261207)
    cases = [
        case("several lesions, one normal image", rng, 24, 20, [2, 0, 3, 1], 2.0),
        case("weak signal", rng, 16, 16, [1, 2, 1], 0.5),
        case("ties from quantised scores", rng, 20, 20, [2, 1, 0], 1.5, quantum=0.25),
        case("diagonal squares are one region", rng, 16, 16, [0, 1], 1.0),
    ]
    with open(OUT, "w") as f:
        json.dump({"fprLimit": FPR_LIMIT, "cases": cases}, f)
        f.write("\n")
    for c in cases:
        print(f"{c['name']}: {c['regions']} regions, pixel AUROC {c['pixelAuroc']:.6f}, AUPRO {c['aupro']:.6f}")


if __name__ == "__main__":
    main()

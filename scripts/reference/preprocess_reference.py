#!/usr/bin/python3
"""Writes test/fixtures/preprocess-reference.json: outputs of scipy, scikit-image
and OpenCV on small deterministic inputs, so the TypeScript preprocessing
building blocks are checked against independent implementations.

Run with Debian's Python (numpy, scipy, python3-skimage, python3-opencv):
    /usr/bin/python3 scripts/reference/preprocess_reference.py

Conventions matched on the TypeScript side:
- images are 8-bit values; the float image is float32(u8 / 255);
- pixel arrays are base64 of their raw bytes: uint8, or little-endian float32;
- borders are scipy's 'reflect' (half-sample symmetric, skimage 'symmetric');
- masks are strings of '0'/'1', one per row.
"""

import base64
import json
from pathlib import Path

import cv2
import numpy as np
import scipy
import skimage
from scipy import ndimage as ndi
from skimage.filters import threshold_otsu
from skimage.morphology import binary_closing, binary_dilation, binary_erosion, binary_opening, disk

OUT = Path(__file__).resolve().parents[2] / 'test' / 'fixtures' / 'preprocess-reference.json'
rng = np.random.default_rng(20240607)


def to_u8(values):
    return np.clip(np.rint(values * 255), 0, 255).astype(np.uint8)


def as_float(u8):
    return (u8 / 255).astype(np.float32)


def u8_base64(u8):
    return base64.b64encode(np.ascontiguousarray(u8, dtype=np.uint8).tobytes()).decode('ascii')


def mask_rows(mask):
    return [''.join('1' if v else '0' for v in row) for row in mask]


def f32_base64(values):
    return base64.b64encode(np.ascontiguousarray(values, dtype='<f4').tobytes()).decode('ascii')


def head(size):
    """A synthetic axial slice: dark background, bright skull ring, dark gap,
    brain disc with a darker ventricle, and a bridge from brain to skull."""
    y, x = np.mgrid[0:size, 0:size]
    r = np.hypot(x - (size - 1) / 2, y - (size - 1) / 2)
    s = size / 32
    img = np.full((size, size), 0.05)
    img[r < 9 * s] = 0.6
    img[r < 2 * s] = 0.3
    img[(r >= 11 * s) & (r < 14 * s)] = 0.9
    img[(np.abs(y - size / 2) < s) & (x > size / 2) & (r < 12 * s)] = 0.6
    return to_u8(img + rng.normal(0, 0.03, img.shape))


def texture(width, height):
    """Smooth structure plus noise, spanning the full 0..255 range."""
    y, x = np.mgrid[0:height, 0:width]
    img = 0.5 + 0.3 * np.sin(x / 3.0) * np.cos(y / 5.0) + 0.15 * (x > width / 2) + rng.normal(0, 0.08, (height, width))
    u8 = to_u8(img)
    u8[0, 0], u8[-1, -1] = 0, 255
    return u8


def holes_mask():
    m = np.zeros((16, 20), dtype=bool)
    m[2:9, 2:9] = True
    m[4:7, 4:7] = False  # enclosed hole: filled
    m[2:9, 11:18] = True
    m[4:7, 13:18] = False  # notch open to the right: stays
    m[10:15, 3:15] = True
    m[12, 5] = False  # one-pixel hole: filled
    m[11:14, 9:12] = False
    m[12, 10] = True  # hole with an island in it: filled
    m[10, 0:3] = True  # touches the border
    return m


images = {
    'head': head(32),
    'texture': texture(32, 32),
    'headLarge': head(48),
    'odd': texture(30, 27),
}
head_float = as_float(images['head'])
texture_float = as_float(images['texture'])
head_mask = head_float > threshold_otsu(head_float)
blobs = rng.random((24, 24)) > 0.55
masks = {'head': head_mask, 'holes': holes_mask(), 'blobs': blobs}

gaussian = [
    {'image': 'texture', 'sigma': s, 'output': f32_base64(ndi.gaussian_filter(texture_float, s, mode='reflect', truncate=4.0))}
    for s in (1.0, 2.5, 9.0)
]
# An odd size reaches the blur's leftover columns after its 4- and 8-wide blocks; sigma 4 is the anomaly maps' blur.
gaussian.append({'image': 'odd', 'sigma': 4.0, 'output': f32_base64(ndi.gaussian_filter(as_float(images['odd']), 4.0, mode='reflect', truncate=4.0))})

# Scaled by 1/4 so a unit step reads 1, as sobelMagnitude reports it.
sobel = [{'image': 'head', 'output': f32_base64(np.hypot(ndi.sobel(head_float, 0, mode='reflect'), ndi.sobel(head_float, 1, mode='reflect')) / 4)}]

otsu = [{'image': name, 'threshold': float(threshold_otsu(as_float(images[name]), nbins=256))} for name in images]

percentile = [
    {'image': 'texture', 'p': p, 'value': float(np.percentile(texture_float, p))} for p in (0, 1, 37.5, 50, 99, 100)
]

morph_ops = {'erode': binary_erosion, 'dilate': binary_dilation, 'open': binary_opening, 'close': binary_closing}
morphology = [
    {'mask': name, 'op': op, 'radius': r, 'output': mask_rows(fn(masks[name], disk(r)))}
    for name in ('head', 'blobs')
    for op, fn in morph_ops.items()
    for r in (1, 3)
]

fill_holes = [{'mask': name, 'output': mask_rows(ndi.binary_fill_holes(masks[name]))} for name in ('holes', 'head')]


def labelled(name, connectivity):
    structure = ndi.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    labels, count = ndi.label(masks[name], structure=structure)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    largest = labels == (int(np.argmax(sizes[1:])) + 1) if count else np.zeros_like(masks[name])
    return {
        'mask': name,
        'connectivity': connectivity,
        'count': int(count),
        'sizes': [int(v) for v in sizes[1:]],
        'largest': mask_rows(largest),
    }


label = [labelled(name, c) for name in ('blobs', 'head') for c in (4, 8)]


def opencv_clahe(name, clip, tiles_x, tiles_y):
    out = cv2.createCLAHE(clipLimit=clip, tileGridSize=(tiles_x, tiles_y)).apply(images[name])
    return {'image': name, 'clipLimit': clip, 'tilesX': tiles_x, 'tilesY': tiles_y, 'output': u8_base64(out)}


clahe = [
    opencv_clahe('headLarge', 2.0, 2, 2),
    opencv_clahe('headLarge', 0.0, 4, 4),
    opencv_clahe('headLarge', 40.0, 8, 8),
    opencv_clahe('odd', 2.0, 4, 3),
    opencv_clahe('odd', 3.0, 3, 5),
]


def bilateral(name, sigma_spatial, sigma_range):
    # OpenCV rather than skimage: skimage 0.19's denoise_bilateral builds its
    # spatial table on an off-centre grid (arange(-win // 2, win // 2 + 1)).
    radius = int(np.ceil(3 * sigma_spatial))
    out = cv2.bilateralFilter(as_float(images[name]), 2 * radius + 1, sigma_range, sigma_spatial, borderType=cv2.BORDER_REFLECT)
    return {'image': name, 'sigmaSpatial': sigma_spatial, 'sigmaRange': sigma_range, 'output': f32_base64(out)}


bilateral_filter = [bilateral('texture', 1.0, 0.1), bilateral('head', 1.5, 0.2)]

fixture = {
    'generator': 'scripts/reference/preprocess_reference.py',
    'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'skimage': skimage.__version__, 'opencv': cv2.__version__},
    'images': {name: {'width': int(u8.shape[1]), 'height': int(u8.shape[0]), 'u8': u8_base64(u8)} for name, u8 in images.items()},
    'masks': {name: mask_rows(m) for name, m in masks.items()},
    'gaussian': gaussian,
    'sobel': sobel,
    'otsu': otsu,
    'percentile': percentile,
    'morphology': morphology,
    'fillHoles': fill_holes,
    'label': label,
    'clahe': clahe,
    'bilateral': bilateral_filter,
}
OUT.write_text(json.dumps(fixture, separators=(',', ':')) + '\n')
print(f'wrote {OUT} ({OUT.stat().st_size} bytes)')

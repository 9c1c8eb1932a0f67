#!/usr/bin/python3
"""Reference numbers for ScanLens' explanation trust scorecard (src/core/explain/scorecard/).

Quantus and pytorch-grad-cam cannot be installed here, so every metric is written
again from its published definition, in numpy/scipy/PyTorch, on the bundled demo
model (models/brain-mri-demo, run by a small PyTorch interpreter of its ONNX graph)
and two bundled samples, explained by Grad-CAM at the manifest's target layer (the
explained class is the top class):

* the map: Grad-CAM by autograd (channel weights = mean gradient, ReLU of the
  weighted sum), upsampled to the 128x128 input by half-pixel bilinear
  interpolation (F.interpolate, align_corners=False) and min-max normalised;
  pixels ranked most relevant first, equal values in pixel order (a stable sort);
* confidence drop / increase (Grad-CAM++, Chattopadhyay et al. 2018; pytorch-grad-cam's
  CamMultImageConfidenceChange): the class probability on input * map, in the model's
  input space; drop = max(0, p - p_map) / p, increase = p_map > p;
* deletion and insertion (RISE, Petsiuk et al. 2018, its CausalMetric and auc):
  64 steps of ceil(128*128/64) = 256 pixels; deletion replaces pixels by 0, insertion
  starts from the input blurred with RISE's gkern(11, 5) (scipy.ndimage.gaussian_filter
  of a delta, conv2d with zero padding 5) and puts the input's pixels back;
  auc = (sum - first/2 - last/2) / (points - 1);
* ROAD (Rong et al. 2022; Quantus' ROAD ranks pixels this way, pytorch-grad-cam's ROAD
  uses the same NoisyLinearImputer): at 10, 20, ..., 90 %, the first int(N * p / 100)
  pixels most-relevant-first (and least-relevant-first: the reversed order) replaced
  by the exact sparse solve (scipy spsolve) of the neighbour-weighted system (1/6 edge,
  1/12 diagonal neighbours) plus noise 0.01 * N(0, 1). The noise is ScanLens' seeded
  stream (its LCG, seed 1, Box-Muller, pixel by pixel in index order), reproduced here
  so the two runs impute identical pixels; combined = mean((LeRF - MoRF) / 2)
  (pytorch-grad-cam's ROADCombined);
* pointing game and relevance mass (Quantus' PointingGame, RelevanceMassAccuracy)
  against test/fixtures/scorecard/glioma-01-mask.png, a disc drawn by this script
  (an arbitrary test region, not a segmentation of the lesion);
* the randomisation check's similarity measures (Quantus' correlation_spearman =
  scipy.stats.spearmanr; Quantus' ssim = scikit-image's structural_similarity with
  its defaults, written here with scipy.ndimage.uniform_filter as scikit-image computes
  it, data range of both maps) on map pairs this script makes: the two classes' maps
  of each sample at 24x24 (rounded to 5 decimals), and one with ties and a constant half.

The randomisation itself (cascading re-initialisation) is not redone here: its test
checks that the maps really change and that the seed reproduces them.

Run with Debian's /usr/bin/python3 from the repository root:
    /usr/bin/python3 scripts/reference/scorecard_reference.py
Writes test/fixtures/scorecard/reference.json and glioma-01-mask.png.
"""
import json
import math
import os

import numpy as np
import onnx
import scipy
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from PIL import Image
from scipy.ndimage import gaussian_filter, uniform_filter
from scipy.sparse import csc_matrix, lil_matrix
from scipy.sparse.linalg import spsolve
from scipy.stats import spearmanr

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
MODEL = os.path.join(ROOT, 'models', 'brain-mri-demo')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'scorecard')
SAMPLES = ['glioma-01', 'meningioma-02']
MASK = {'sample': 'glioma-01', 'centre': (92, 70), 'radius': 16}
STEPS = 64
PERCENTAGES = [10, 20, 30, 40, 50, 60, 70, 80, 90]
NOISE = 0.01


class OnnxNet:
    """The demo graph's ops (Conv, Relu, MaxPool, GlobalAveragePool, Flatten, Gemm) in PyTorch."""

    def __init__(self, path):
        self.proto = onnx.load(path)
        self.weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in self.proto.graph.initializer}

    def __call__(self, x, keep=None):
        values = {self.proto.graph.input[0].name: x}
        for node in self.proto.graph.node:
            a = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
            ins = [values[n] if n in values else self.weights[n] for n in node.input]
            if node.op_type == 'Conv':
                pads = a.get('pads', [0, 0, 0, 0])
                assert pads[0] == pads[2] and pads[1] == pads[3]
                out = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=a.get('strides', 1), padding=pads[:2], dilation=a.get('dilations', 1), groups=a.get('group', 1))
            elif node.op_type == 'Relu':
                out = torch.relu(ins[0])
            elif node.op_type == 'MaxPool':
                assert a.get('pads', [0, 0, 0, 0]) == [0, 0, 0, 0] and a.get('ceil_mode', 0) == 0
                out = F.max_pool2d(ins[0], a['kernel_shape'], a['strides'])
            elif node.op_type == 'GlobalAveragePool':
                out = ins[0].mean(dim=(2, 3), keepdim=True)
            elif node.op_type == 'Flatten':
                out = torch.flatten(ins[0], a.get('axis', 1))
            elif node.op_type == 'Gemm':
                b = ins[1].t() if a.get('transB', 0) else ins[1]
                out = a.get('alpha', 1.0) * ins[0] @ b + a.get('beta', 1.0) * ins[2]
            else:
                raise ValueError(f'op {node.op_type} is not in the demo model')
            values[node.output[0]] = out
            if node.output[0] == keep:
                out.retain_grad()
        return values[self.proto.graph.output[0].name], values.get(keep)


def probability(net, x, cls):
    with torch.no_grad():
        return torch.softmax(net(x)[0].double(), dim=1)[:, cls].numpy()


def gradcam(net, x, layer, cls):
    x = x.clone().requires_grad_(True)
    logits, act = net(x, keep=layer)
    logits[0, cls].backward()
    weights = act.grad[0].mean(dim=(1, 2))
    return torch.relu((weights[:, None, None] * act[0]).sum(0)).detach().numpy().astype(np.float64)


def heat_of(cam, size):
    up = F.interpolate(torch.from_numpy(cam)[None, None], size=size, mode='bilinear', align_corners=False)[0, 0].numpy()
    lo, hi = up.min(), up.max()
    return (up - lo) / (hi - lo) if hi > lo else np.zeros_like(up)


def rise_blur(x):
    klen, nsig = 11, 5
    delta = np.zeros((klen, klen))
    delta[klen // 2, klen // 2] = 1
    kern = torch.from_numpy(gaussian_filter(delta, nsig)[None, None])
    return F.conv2d(x.double(), kern, padding=klen // 2).float()


def causal(net, cls, order, start, finish):
    n = order.size
    step = math.ceil(n / STEPS)
    steps = (n + step - 1) // step
    flat_s = start.reshape(1, -1).clone()
    flat_f = finish.reshape(1, -1)
    copies = []
    for i in range(steps + 1):
        copies.append(flat_s.clone())
        if i < steps:
            coords = torch.from_numpy(order[step * i:step * (i + 1)].copy())
            flat_s[0, coords] = flat_f[0, coords]
    batch = torch.cat(copies).reshape(-1, *start.shape[1:])
    scores = probability(net, batch, cls)
    return {'auc': float((scores.sum() - scores[0] / 2 - scores[-1] / 2) / (scores.size - 1)), 'probabilities': [float(v) for v in scores]}


def scanlens_noise(count, seed=1):
    """ScanLens' seededRandom LCG and its Box-Muller draw, value for value."""
    s = seed & 0xFFFFFFFF
    out = np.empty(count)

    def nxt():
        nonlocal s
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        return s / 2 ** 32

    for i in range(count):
        u1 = nxt()
        u2 = nxt()
        out[i] = math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)
    return out


NEIGHBOURS = [((1, 1), 1 / 12), ((0, 1), 1 / 6), ((-1, 1), 1 / 12), ((1, -1), 1 / 12), ((0, -1), 1 / 6), ((-1, -1), 1 / 12), ((1, 0), 1 / 6), ((-1, 0), 1 / 6)]


def noisy_linear_imputation(img, removed):
    """ROAD's NoisyLinearImputer.setup_sparse_system + spsolve, one channel [H, W]."""
    h, w = img.shape
    keep = np.ones(h * w)
    keep[removed] = 0
    flat = img.reshape(-1).astype(np.float64)
    unknowns = np.argwhere(keep == 0).flatten()
    vidx = np.zeros(h * w, dtype=int)
    vidx[unknowns] = np.arange(len(unknowns))
    a = lil_matrix((len(unknowns), len(unknowns)))
    b = np.zeros(len(unknowns))
    total = np.ones(len(unknowns))
    for (dy, dx), weight in NEIGHBOURS:
        y = unknowns // w + dy
        x = unknowns % w + dx
        valid = (y >= 0) & (x >= 0) & (y < h) & (x < w)
        ids = np.argwhere(valid).flatten()
        coords = (y * w + x)[valid]
        kept = keep[coords] > 0.5
        b[ids[kept]] -= weight * flat[coords[kept]]
        a[ids[~kept], vidx[coords[~kept]]] = weight
        total[~valid] -= weight
    a[np.arange(len(unknowns)), np.arange(len(unknowns))] = -total
    solved = spsolve(csc_matrix(a), b)
    out = flat.copy()
    out[unknowns] = solved + NOISE * scanlens_noise(len(unknowns))
    return out.reshape(h, w)


def road(net, x, cls, order):
    img = x[0, 0].numpy()
    copies = [noisy_linear_imputation(img, order[:int(order.size * p / 100)]) for p in PERCENTAGES]
    scores = probability(net, torch.from_numpy(np.stack(copies)[:, None]).float(), cls)
    return {'percentages': PERCENTAGES, 'probabilities': [float(v) for v in scores], 'mean': float(scores.mean())}


def ssim(a, b):
    """scikit-image's structural_similarity with its defaults (win_size 7, uniform window, sample covariance), data range as Quantus gives it."""
    data_range = float(max(a.max(), b.max()) - min(a.min(), b.min()))
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    win, k1, k2 = 7, 0.01, 0.03
    cov_norm = win * win / (win * win - 1)
    ux, uy = uniform_filter(a, win), uniform_filter(b, win)
    uxx, uyy, uxy = uniform_filter(a * a, win), uniform_filter(b * b, win), uniform_filter(a * b, win)
    vx, vy, vxy = cov_norm * (uxx - ux * ux), cov_norm * (uyy - uy * uy), cov_norm * (uxy - ux * uy)
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
    pad = (win - 1) // 2
    return float(s[pad:-pad, pad:-pad].mean())


def pair(a, b):
    a, b = np.round(a, 5), np.round(b, 5)
    return {'width': a.shape[1], 'height': a.shape[0], 'a': [float(v) for v in a.flatten()], 'b': [float(v) for v in b.flatten()], 'spearman': float(spearmanr(a.flatten(), b.flatten())[0]), 'ssim': ssim(a, b)}


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(MODEL, 'model.json')) as f:
        manifest = json.load(f)
    net = OnnxNet(os.path.join(MODEL, manifest['file']))
    layer = manifest['explain']['targetLayer']
    mean, std = manifest['input']['mean'][0], manifest['input']['std'][0]
    size = (manifest['input']['size']['height'], manifest['input']['size']['width'])

    yy, xx = np.mgrid[0:size[0], 0:size[1]]
    cx, cy = MASK['centre']
    mask = ((xx - cx) ** 2 + (yy - cy) ** 2 <= MASK['radius'] ** 2)
    Image.fromarray((mask * 255).astype(np.uint8)).save(os.path.join(OUT, f"{MASK['sample']}-mask.png"))

    samples, pairs = [], []
    for name in SAMPLES:
        pixels = np.asarray(Image.open(os.path.join(ROOT, 'samples', f'{name}.png')).convert('L'), dtype=np.float32)
        assert pixels.shape == size
        x = torch.from_numpy((pixels / 255 - mean) / std).float()[None, None]
        with torch.no_grad():
            probabilities = torch.softmax(net(x)[0][0].double(), dim=0).numpy()
        cls = int(probabilities.argmax())
        cam = gradcam(net, x, layer, cls)
        heat = heat_of(cam, size)
        order = np.argsort(-heat.reshape(-1), kind='stable')
        p_map = float(probability(net, x * torch.from_numpy(heat).float()[None, None], cls)[0])
        p = float(probabilities[cls])
        most = road(net, x, cls, order)
        least = road(net, x, cls, order[::-1].copy())
        entry = {
            'sample': f'samples/{name}.png',
            'class': cls,
            'probabilities': [float(v) for v in probabilities],
            'confidence': {'original': p, 'explanationMap': p_map, 'drop': max(0.0, p - p_map) / p, 'increase': p_map > p},
            'deletion': causal(net, cls, order, x, torch.zeros_like(x)),
            'insertion': causal(net, cls, order, rise_blur(x), x),
            'road': {'mostRelevantFirst': most, 'leastRelevantFirst': least, 'combined': float(np.mean((np.array(least['probabilities']) - np.array(most['probabilities'])) / 2))},
        }
        if name == MASK['sample']:
            flat, inside = heat.reshape(-1), mask.reshape(-1)
            entry['mask'] = {
                'file': f"test/fixtures/scorecard/{MASK['sample']}-mask.png",
                'maskPixels': int(inside.sum()),
                'pointingGame': bool(np.any(inside[np.argwhere(flat == flat.max())])),
                'relevanceMass': float(flat[inside].sum() / flat.sum()),
            }
        samples.append(entry)
        other = heat_of(gradcam(net, x, layer, int(np.argsort(probabilities)[-2])), (24, 24))
        pairs.append(pair(heat_of(cam, (24, 24)), other))
    tied = heat_of(gradcam(net, x, layer, cls), (24, 24))
    halved = tied.copy()
    halved[:12] = 0.5
    pairs.append(pair(np.round(tied * 4) / 4, halved))

    result = {
        'about': 'scripts/reference/scorecard_reference.py: the scorecard from the published definitions on the demo model; regenerate with /usr/bin/python3 scripts/reference/scorecard_reference.py',
        'versions': {'torch': torch.__version__, 'numpy': np.__version__, 'scipy': scipy.__version__},
        'method': 'gradcam',
        'steps': STEPS,
        'noise': NOISE,
        'samples': samples,
        'similarityPairs': pairs,
    }
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    for s in samples:
        print(s['sample'], 'class', s['class'], 'drop', round(s['confidence']['drop'], 4), 'deletion', round(s['deletion']['auc'], 4), 'insertion', round(s['insertion']['auc'], 4), 'ROAD combined', round(s['road']['combined'], 4))


if __name__ == '__main__':
    main()

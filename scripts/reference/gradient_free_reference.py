#!/usr/bin/python3
"""Score-CAM and AblationCAM references for ScanLens' gradient-free explain methods.

Rebuilds the seeded fixture models of make_explain_models.py (same classes, seeds
and norm randomisation; the logits are checked against its reference.json, so these
are the weights of the committed ONNX files), and computes, in PyTorch, on the same
input and class, at the same target layers:

* Score-CAM, following pytorch-grad-cam's ScoreCAM (score_cam.py): each channel of
  the target activations is upsampled to the input size by bilinear interpolation
  with aligned corners (torch.nn.UpsamplingBilinear2d), min-max normalised as
  (A - min) / (max - min + 1e-8), and multiplies the input; the class logits of the
  masked inputs (batches of 16), softmaxed over the channels, are the weights.
* AblationCAM, following pytorch-grad-cam's AblationCAM and AblationLayer
  (ablation_cam.py, ablation_layer.py; ratio_channels_to_ablate = 1, every channel):
  the target layer's output is replaced, for a batch of copies of the input, by the
  activations with one channel each ablated -- set to 0 when the layer's smallest
  activation is 0, else to that minimum - 1e7 -- and the model runs on; the weight of
  channel k is (score - ablated score_k) / score. For a transformer a channel is one
  feature of every token (AblationLayerVit). One deliberate difference: pytorch-grad-cam
  re-reads the minimum after ablating earlier copies of its batch, so for a layer whose
  minimum is not 0 the k-th copy gets minimum - k*1e7; here every copy gets minimum - 1e7.
* Both maps are ReLU(sum_k w_k A_k) at the target layer's resolution (BaseCAM), the
  transformer's tokens reshaped to the patch grid with the class token dropped.

Each model at its automatic target layer (as make_explain_models.py's Grad-CAM), and the
ResNet also inside its last block (conv1 + bn1, before the ReLU: negative values, and the
block's residual branch runs around it).

Written from those published definitions; no pytorch-grad-cam code is used.
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision).
Writes test/fixtures/explain/gradient_free.json.
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
import make_explain_models as fixtures  # noqa: E402

OUT = fixtures.OUT
BATCH = 16


def to_maps(act, tokens):
    """[1,T,D] tokens -> [1,D,side,side] without the class token; CNN maps unchanged."""
    if not tokens:
        return act
    side = int(round((act.shape[1] - 1) ** 0.5))
    return act[:, 1:, :].reshape(1, side, side, -1).permute(0, 3, 1, 2)


def layer_output(model, layer, x):
    saved = {}
    handle = layer.register_forward_hook(lambda _m, _i, out: saved.__setitem__('act', out.detach().clone()))
    with torch.no_grad():
        logits = model(x)
    handle.remove()
    return logits[0], saved['act']


def cam_from(weights, maps):
    return torch.relu((weights[:, None, None] * maps[0]).sum(dim=0))


def score_cam(model, layer, x, cls, tokens):
    _, raw = layer_output(model, layer, x)
    maps = to_maps(raw, tokens)
    up = torch.nn.functional.interpolate(maps, size=x.shape[-2:], mode='bilinear', align_corners=True)
    flat = up.reshape(up.shape[0], up.shape[1], -1)
    lo = flat.min(dim=-1).values[:, :, None, None]
    hi = flat.max(dim=-1).values[:, :, None, None]
    masks = (up - lo) / (hi - lo + 1e-8)
    scores = []
    with torch.no_grad():
        for start in range(0, masks.shape[1], BATCH):
            batch = x * masks[0, start:start + BATCH, None, :, :]
            scores.extend(float(v) for v in model(batch)[:, cls])
    weights = torch.softmax(torch.tensor(scores, dtype=torch.float32), dim=0)
    return cam_from(weights, maps)


def ablation_cam(model, layer, x, cls, tokens):
    logits, raw = layer_output(model, layer, x)
    original = np.float32(logits[cls])
    smallest = raw.min()
    value = torch.tensor(0.0) if smallest == 0 else smallest - 1e7
    channels = raw.shape[-1] if tokens else raw.shape[1]
    ablated = []
    for start in range(0, channels, BATCH):
        ks = list(range(start, min(channels, start + BATCH)))
        copies = raw.repeat(len(ks), *([1] * (raw.dim() - 1)))
        for i, k in enumerate(ks):
            if tokens:
                copies[i, :, k] = value
            else:
                copies[i, k] = value
        handle = layer.register_forward_hook(lambda _m, _i, _out, c=copies: c)
        with torch.no_grad():
            out = model(x.repeat(len(ks), 1, 1, 1))
        handle.remove()
        ablated.extend(np.float32(v) for v in out[:, cls])
    weights = (original - np.float32(ablated)) / original
    return cam_from(torch.from_numpy(weights), to_maps(raw, tokens))


def as_json(cam):
    return {'height': cam.shape[0], 'width': cam.shape[1], 'data': [float(v) for v in cam.flatten()]}


def main():
    with open(os.path.join(OUT, 'reference.json')) as f:
        gradcam = json.load(f)
    pixels = np.asarray(Image.open(os.path.join(OUT, gradcam['input'])).convert('RGB'))
    x = torch.from_numpy(pixels.astype(np.float32) / 255).permute(2, 0, 1)[None]
    cls = gradcam['class']
    # make_explain_models.py's builders, seeds and layers, in its order.
    builders = {
        'resnet': (fixtures.TinyResNet, lambda m: m.layer2, False),
        'mobilenetv3': (fixtures.tiny_mobilenet, lambda m: m.features[-1], False),
        'vit': (fixtures.TinyViT, lambda m: m.blocks[-1].norm1, True),
    }
    # Besides each model's automatic layer: one inside the ResNet's last block, whose output
    # can be negative (ablation to minimum - 1e7) and whose residual branch goes around it.
    inner = {'resnet': ('/layer2/conv1/Conv_output_0', lambda m: m.layer2.bn1)}
    reference = {'input': gradcam['input'], 'class': cls, 'models': {}}
    for seed, (name, (build, layer, tokens)) in enumerate(builders.items()):
        torch.manual_seed(100 + seed)
        model = build()
        fixtures.randomise_norms(model)
        model.eval()
        logits, _ = layer_output(model, layer(model), x)
        drift = float(np.abs(logits.numpy() - np.float32(gradcam['models'][name]['logits'])).max())
        if drift > 1e-5:
            raise SystemExit(f'{name}: logits differ from reference.json by {drift}: not the fixture weights')
        cases = [(name, None, layer)] + ([(f'{name}-inner', inner[name][0], inner[name][1])] if name in inner else [])
        for case, tensor, pick in cases:
            score = score_cam(model, pick(model), x, cls, tokens)
            ablation = ablation_cam(model, pick(model), x, cls, tokens)
            entry = {'file': f'{name}.onnx', 'scorecam': as_json(score), 'ablationcam': as_json(ablation)}
            if tensor:
                entry['layer'] = tensor
            reference['models'][case] = entry
            print(f'{case}: scorecam max {float(score.max()):.4g}, ablationcam max {float(ablation.max()):.4g}', file=sys.stderr)
    with open(os.path.join(OUT, 'gradient_free.json'), 'w') as f:
        json.dump(reference, f, indent=1)


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""PyTorch reference for every CAM method ScanLens takes from pytorch-grad-cam.

pytorch-grad-cam cannot be installed here, so this script re-implements the
definitions it publishes (read from github.com/jacobgil/pytorch-grad-cam,
pytorch_grad_cam/*.py at commit 084273b; no code copied) on the seeded fixture
models of make_explain_models.py, with activations and gradients taken by
autograd through hooks on the target layer (a forward hook keeps the layer's
output and registers a tensor hook for its gradient; the target is the raw
logit of the class, pytorch-grad-cam's ClassifierOutputTarget). Like
pytorch-grad-cam the arithmetic is numpy float32 on the hooked tensors.

Definitions followed (A = activations, G = d logit[c] / d A, both C x H x W,
sums over the H x W positions of a channel unless said otherwise):

- Grad-CAM (grad_cam.py): w_c = mean G_c; cam = sum_c w_c A_c.
- Grad-CAM++ (grad_cam_plusplus.py, eq. 19 of arXiv:1710.11063):
  grads_power_2 = G**2, grads_power_3 = grads_power_2 * G,
  alpha = grads_power_2 / (2 * grads_power_2 + (sum A_c) * grads_power_3 + eps)
  with eps = 1e-6, alpha set to 0 where G == 0,
  w_c = sum max(G, 0) * alpha; cam = sum_c w_c A_c.
- XGrad-CAM (xgrad_cam.py): w_c = sum (G_c * A_c / (sum A_c + eps)) with
  eps = 1e-7 (the division is per position, then summed); cam = sum_c w_c A_c.
- HiResCAM (hirescam.py): cam = sum_c G_c * A_c per position.
- LayerCAM (layer_cam.py): cam = sum_c max(G_c, 0) * A_c per position.
- EigenCAM (eigen_cam.py, utils/svd_on_activations.get_2d_projection): the
  activations as an (H*W) x C matrix, each channel centred by its mean over
  positions, NaN set to 0, projected on the first right singular vector of
  np.linalg.svd. pytorch-grad-cam keeps whatever sign LAPACK gives that vector,
  which no other implementation can reproduce; this reference fixes it as
  ScanLens does: the projection is negated when its dot product with the
  channel sum of the projected (uncentred) maps is negative: for EigenCAM the
  activations, for eigen_smooth the unsmoothed CAM before ReLU. Each case records
  whether LAPACK's sign agreed ('lapackSign': 1) or was flipped (-1).
- eigen_smooth (base_cam.get_cam_image, hirescam.py, layer_cam.py): instead of
  summing the weighted activations over channels (w_c * A_c, G * A or
  max(G, 0) * A), they are projected as EigenCAM projects A (same sign rule).
  EigenCAM ignores the option.
- Then ReLU (np.maximum(cam, 0) in compute_cam_per_layer). The stored 'cam' is
  this map at the target layer's resolution; scale_cam_image's min-max
  ((x - min) / (max + 1e-7)) and resize are left to the comparison, which
  min-max normalises both sides at the layer's resolution.
- aug_smooth (base_cam.forward_augmentation_smoothing with its default
  ttach.Compose([HorizontalFlip(), Multiply(factors=[0.9, 1, 1.1])])): six
  inputs, {unflipped, flipped horizontally} x {input * 0.9, * 1, * 1.1}; for
  each, the map above (eigen_smooth or not), ReLU, scale_cam_image with the
  input's size as target (min-max with 1e-7, then cv2.resize INTER_LINEAR,
  here its half-pixel bilinear equivalent F.interpolate(align_corners=False)),
  then aggregate_multi_layers' ReLU and scale_cam_image again (min-max), the
  flip undone; the six maps averaged (no further normalisation). Stored at the
  input's resolution, as base64 uint16 ('u16': value * 65535).
- FullGrad (fullgrad_cam.py, Srinivas & Fleuret 2019): every Conv2d and
  BatchNorm2d with a bias (a BatchNorm's bias is B - mean * weight /
  sqrt(var + eps)); |input gradient * input|, each input channel scaled by
  scale_cam_image, plus per layer |bias * gradient of its output|, each channel
  scale_cam_image'd (min-max, then resized to the input's size), summed over
  channels; everything summed and scale_cam_image'd once more. Gradients by
  autograd (retain_grad on each layer's output); stored at the input's
  resolution as 'u16'. The target_layers argument is ignored, as there.
- Vision transformers: pytorch-grad-cam's reshape_transform convention, the
  class token dropped and the tokens reshaped to the patch grid (applied to
  activations and gradients alike).

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision); it
rebuilds the fixture models with make_explain_models.py's seeds (checked
against reference.json's logits, so the ONNX files need not be rewritten) and
writes test/fixtures/explain/cam-methods.json.
"""
import base64
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_explain_models as fixtures  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'explain')
CLASSES = [1, 3]
GRADIENT_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam']
METHODS = GRADIENT_METHODS + ['eigencam']
# The aug_smooth cases: stored at the input's 64 x 64, so one class and a few methods.
AUG_CASES = [('gradcam', False), ('gradcam++', False), ('eigencam', False), ('gradcam', True)]
AUG_CLASS = 1

# (module path, ONNX tensor ScanLens names it by, standard layer?)
LAYERS = {
    'resnet': [('layer2', '/layer2/relu_1/Relu_output_0', True), ('layer1', '/layer1/relu_1/Relu_output_0', False)],
    'mobilenetv3': [
        ('features.4', '/features/features.4/features.4.2/HardSwish_output_0', True),
        ('features.1', '/features/features.1/block/block.2/block.2.0/Conv_output_0', False),
    ],
    'vit': [('blocks.1.norm1', '/blocks.1/norm1/LayerNormalization_output_0', True), ('blocks.0.norm1', '/blocks.0/norm1/LayerNormalization_output_0', False)],
}
BUILDERS = {'resnet': fixtures.TinyResNet, 'mobilenetv3': fixtures.tiny_mobilenet, 'vit': fixtures.TinyViT}


def build(name):
    """The fixture model exactly as make_explain_models.main builds it (same seed order)."""
    seed = list(BUILDERS).index(name)
    torch.manual_seed(100 + seed)
    model = BUILDERS[name]()
    fixtures.randomise_norms(model)
    return model.eval()


def to_grid(t):
    """Tokens (1, 1 + H*W, C) to (1, C, H, W), the class token dropped; feature maps (4-D, or 5-D for 3D models) unchanged."""
    if t.dim() != 3:
        return t
    side = int(round((t.shape[1] - 1) ** 0.5))
    return t[:, 1:, :].reshape(t.shape[0], side, side, t.shape[2]).permute(0, 3, 1, 2)


def activations_and_gradients(model, layer, x, cls):
    saved = {}

    def hook(_module, _inputs, output):
        saved['act'] = output
        output.register_hook(lambda g: saved.__setitem__('grad', g))

    handle = layer.register_forward_hook(hook)
    try:
        logits = model(x)
        model.zero_grad()
        logits[0, cls].backward()
    finally:
        handle.remove()
    act = to_grid(saved['act'].detach())[0].numpy().astype(np.float32)
    grad = to_grid(saved['grad'].detach())[0].numpy().astype(np.float32)
    return logits.detach()[0].numpy(), act, grad


def projection(weighted):
    """get_2d_projection for one map (C x H x W), with the sign rule stated in the docstring."""
    c, h, w = weighted.shape
    m = np.nan_to_num(weighted.copy(), nan=0.0).reshape(c, -1).T
    m = m - m.mean(axis=0)
    _u, _s, vt = np.linalg.svd(m, full_matrices=True)
    p = m @ vt[0, :]
    sign = -1 if float(np.dot(p.astype(np.float64), weighted.reshape(c, -1).sum(axis=0).astype(np.float64))) < 0 else 1
    return (sign * p).reshape(h, w).astype(np.float32), sign


def weighted_activations(method, act, grad):
    """What each method sums over channels (or projects with eigen_smooth)."""
    if method == 'gradcam':
        weights = grad.mean(axis=(1, 2))
    elif method == 'gradcam++':
        g2 = grad**2
        g3 = g2 * grad
        total = act.sum(axis=(1, 2))
        alpha = g2 / (2 * g2 + total[:, None, None] * g3 + np.float32(1e-6))
        alpha = np.where(grad != 0, alpha, np.float32(0))
        weights = (np.maximum(grad, 0) * alpha).sum(axis=(1, 2))
    elif method == 'xgradcam':
        total = act.sum(axis=(1, 2))
        weights = (grad * act / (total[:, None, None] + np.float32(1e-7))).sum(axis=(1, 2))
    elif method == 'hirescam':
        return grad * act
    elif method == 'layercam':
        return np.maximum(grad, 0) * act
    else:
        raise ValueError(method)
    return weights[:, None, None] * act


def cam(method, act, grad, eigen_smooth=False):
    """The map after the final ReLU at the layer's resolution, and LAPACK's sign where a projection was taken."""
    if method == 'eigencam':
        p, sign = projection(act)
        return np.maximum(p, 0), sign
    weighted = weighted_activations(method, act, grad)
    if eigen_smooth:
        p, sign = projection(weighted)
        return np.maximum(p, 0), sign
    return np.maximum(weighted.sum(axis=0), 0), None


def scale_cam_image(img, size=None):
    img = img - img.min()
    img = img / (np.float32(1e-7) + img.max())
    if size is not None:
        img = F.interpolate(torch.from_numpy(np.float32(img))[None, None], size=size, mode='bilinear', align_corners=False)[0, 0].numpy()
    return np.float32(img)


def aug_smooth(model, layer, x, cls, method, eigen_smooth):
    size = tuple(x.shape[-2:])
    maps = []
    for flip in (False, True):
        for factor in (0.9, 1.0, 1.1):
            augmented = torch.flip(x, dims=[-1]) if flip else x
            augmented = augmented * factor
            _logits, act, grad = activations_and_gradients(model, layer, augmented, cls)
            one, _ = cam(method, act, grad, eigen_smooth)
            one = scale_cam_image(np.maximum(scale_cam_image(one, size), 0))
            maps.append(np.flip(one, axis=-1) if flip else one)
    return np.mean(np.float32(maps), axis=0)


def fullgrad(model, x, cls):
    # torchvision's in-place ReLUs (modules, and DenseNet's F.relu(features, inplace=True)) would overwrite a layer's
    # output before its gradient is kept: out of place, each retained gradient is that of the layer's own output, as
    # the definition (and the exported graph) has it.
    for m in model.modules():
        if hasattr(m, 'inplace'):
            m.inplace = False
    relu = F.relu
    F.relu = lambda t, inplace=False: relu(t)
    try:
        return fullgrad_out_of_place(model, x, cls)
    finally:
        F.relu = relu


def fullgrad_out_of_place(model, x, cls):
    layers = [m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.BatchNorm2d)) and m.bias is not None]
    outputs = {}

    def keep(mod, _inputs, out):
        out.retain_grad()
        outputs[mod] = out

    hooks = [m.register_forward_hook(keep) for m in layers]
    x = x.clone().requires_grad_(True)
    logits = model(x)
    logits[0, cls].backward()
    for h in hooks:
        h.remove()
    size = tuple(x.shape[-2:])
    total = np.zeros(size, dtype=np.float32)
    product = np.abs(x.grad.numpy()[0] * x.detach().numpy()[0])
    for channel in product:
        total += scale_cam_image(channel, size)
    for m in layers:
        if isinstance(m, torch.nn.BatchNorm2d):
            bias = (-(m.running_mean * m.weight / torch.sqrt(m.running_var + m.eps)) + m.bias).detach().numpy()
        else:
            bias = m.bias.detach().numpy()
        grads = outputs[m].grad.numpy()[0]
        for channel in np.abs(bias[:, None, None] * grads):
            total += scale_cam_image(channel, size)
    return scale_cam_image(total)


def module(model, path):
    m = model
    for part in path.split('.'):
        m = m[int(part)] if part.isdigit() else getattr(m, part)
    return m


def rounded(a, digits):
    return [float(f'{v:.{digits}g}') for v in np.asarray(a, dtype=np.float64).flatten()]


def u16(m):
    """A map in [0, 1] as base64 of little-endian uint16 (value * 65535, rounded): 1e-5 steps at a third of the JSON size."""
    q = np.round(np.clip(m.astype(np.float64), 0, 1) * 65535).astype('<u2')
    return base64.b64encode(q.tobytes()).decode('ascii')


def main():
    with open(os.path.join(OUT, 'reference.json')) as f:
        previous = json.load(f)
    pixels = np.asarray(Image.open(os.path.join(OUT, previous['input'])).convert('RGB'))
    x = torch.from_numpy(pixels.astype(np.float32) / 255).permute(2, 0, 1)[None].contiguous()
    cases = []
    for name, layers in LAYERS.items():
        model = build(name)
        with torch.no_grad():
            logits = model(x)[0].numpy()
        expected = np.array(previous['models'][name]['logits'])
        if np.abs(logits - expected).max() > 1e-5:
            sys.exit(f'{name}: rebuilt model gives logits {logits}, reference.json has {expected}: the seeds no longer match')
        for path, tensor, standard in layers:
            layer = module(model, path)
            for cls in CLASSES:
                _logits, act, grad = activations_and_gradients(model, layer, x, cls)
                for method in METHODS:
                    for eigen in [False] if method == 'eigencam' else [False, True]:
                        m, sign = cam(method, act, grad, eigen)
                        cases.append({
                            'model': name, 'layer': tensor, 'module': path, 'standard': standard, 'class': cls,
                            'method': method, 'eigenSmooth': eigen, 'augSmooth': False,
                            **({'lapackSign': sign} if sign is not None else {}),
                            'height': m.shape[0], 'width': m.shape[1], 'data': rounded(m, 7),
                        })
            if standard:
                for method, eigen in AUG_CASES:
                    m = aug_smooth(model, layer, x, AUG_CLASS, method, eigen)
                    cases.append({
                        'model': name, 'layer': tensor, 'module': path, 'standard': True, 'class': AUG_CLASS,
                        'method': method, 'eigenSmooth': eigen, 'augSmooth': True,
                        'height': m.shape[0], 'width': m.shape[1], 'u16': u16(m),
                    })
        for cls in CLASSES:
            m = fullgrad(model, x, cls)
            cases.append({
                'model': name, 'layer': '', 'module': 'every bias layer', 'standard': True, 'class': cls,
                'method': 'fullgrad', 'eigenSmooth': False, 'augSmooth': False,
                'height': m.shape[0], 'width': m.shape[1], 'u16': u16(m),
            })
        print(f'{name}: {sum(c["model"] == name for c in cases)} maps', file=sys.stderr)
    out = {
        'about': 'scripts/reference/cam_reference.py: pytorch-grad-cam definitions re-implemented in PyTorch/numpy; maps after the final ReLU at the layer resolution (augSmooth: at the input resolution, as pytorch-grad-cam returns them)',
        'input': previous['input'],
        'models': {name: f'{name}.onnx' for name in LAYERS},
        'cases': cases,
    }
    with open(os.path.join(OUT, 'cam-methods.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""PyTorch reference for ScanLens' 3D class-activation maps (issue 21 item 3).

The fixture model of make_3d_reference.py (Tiny3DResNet, rebuilt here with the
same seed and BatchNorm statistics, checked against its reference.json logits)
on its volume's preprocessed tensor (nibabel as_closest_canonical, scipy
trilinear to 1.5 mm, percentile 1..99, mean/std, centred crop/pad: the same
functions, tensor sum checked against reference.json). Activations and
gradients by autograd through a forward hook on the target block (its output,
a tensor hook for its gradient); the target is the raw logit of the class
(pytorch-grad-cam's ClassifierOutputTarget). Arithmetic in numpy float32 on
the hooked tensors, as pytorch-grad-cam does.

pytorch-grad-cam's published definitions (github.com/jacobgil/pytorch-grad-cam,
as in cam_reference.py; no code copied), with every sum and mean over a
channel's D x H x W positions instead of H x W (A = activations, G = d logit /
d A, both C x D x H x W):

- Grad-CAM: w_c = mean G_c; cam = sum_c w_c A_c.
- Grad-CAM++: alpha = G^2 / (2 G^2 + (sum A_c) G^3 + 1e-6), 0 where G == 0;
  w_c = sum max(G, 0) alpha; cam = sum_c w_c A_c.
- XGrad-CAM: w_c = sum (G_c A_c / (sum A_c + 1e-7)); cam = sum_c w_c A_c.
- HiResCAM: cam = sum_c G_c A_c per position.
- LayerCAM: cam = sum_c max(G_c, 0) A_c per position.
- EigenCAM: the activations as a (D*H*W) x C matrix, each channel centred,
  projected on the first right singular vector (np.linalg.svd), the sign
  turned so the projection correlates positively with the channel sum of the
  activations (ScanLens' rule; LAPACK's sign is arbitrary).
- AblationCAM: each channel in turn set to 0 (the layer's minimum is 0 after
  its ReLU), the model run on from the layer (a forward hook replacing the
  block's output); w_c = (score - ablated score) / score; cam = sum_c w_c A_c.
- eigen_smooth (top class only): a gradient method's terms (w_c A_c, G A or
  max(G, 0) A) projected as EigenCAM projects A, the sign turned to correlate
  with their channel sum (the unsmoothed map), then ReLU.
- Score-CAM: each channel upsampled to the input's D x H x W trilinearly with
  aligned corners (F.interpolate(mode='trilinear', align_corners=True), the 3D
  form of pytorch-grad-cam's UpsamplingBilinear2d), scaled to
  (A - min) / (max - min + 1e-8), multiplied into the input; the softmax over
  channels of the class logits of those inputs weights the channels.
- Then ReLU. 'cam' is stored at the layer's D x H x W grid; 'grid' (Grad-CAM
  of the top class) is that map upsampled to the model's input grid with
  torch.nn.functional.interpolate(mode='trilinear', align_corners=False) and
  min-max normalised ((x - min) / (max - min)).

Two layers: layer2 (the last block, what the global pool reads; its gradients
are constant per channel) and layer1 (an earlier block at twice the
resolution, where gradients vary over positions); two classes: the top one
and the least probable.

Maps are stored as base64 of little-endian float32 ('cam') or uint16 of the
normalised map times 65535 ('grid', 1.5e-5 steps). Run with Debian's
/usr/bin/python3 (torch 1.13, nibabel, scipy):
    /usr/bin/python3 scripts/reference/cam3d_reference.py
Writes test/fixtures/volume3d/cam3d-reference.json.
"""
import base64
import json
import os
import sys

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import make_3d_reference as fixture  # noqa: E402
from cam_reference import activations_and_gradients  # noqa: E402
from volume_ops import randomise_batchnorm  # noqa: E402

OUT = os.path.join(fixture.OUT, 'cam3d-reference.json')
# ONNX tensor each block's output is (the Relu after the residual add).
LAYERS = {'layer2': '/layer2/relu_1/Relu_output_0', 'layer1': '/layer1/relu_1/Relu_output_0'}
GRADIENT_METHODS = ['gradcam', 'gradcam++', 'xgradcam', 'hirescam', 'layercam']


def build_model():
    """make_3d_reference.main's model: the same seed, then the same BatchNorm draws."""
    torch.manual_seed(0)
    model = fixture.Tiny3DResNet()
    randomise_batchnorm(model)
    return model.eval()


def input_tensor():
    """volume.nii.gz through make_3d_reference's pipeline."""
    image = nib.load(os.path.join(fixture.OUT, 'volume.nii.gz'))
    ras, zooms = fixture.canonical(np.asarray(image.dataobj), image.affine)
    resampled = fixture.resample(ras, zooms, fixture.SPACING)
    low, high = np.percentile(resampled, [1, 99])
    unit = np.clip((resampled - low) / (high - low), 0, 1)
    tensor = fixture.crop_or_pad((unit - fixture.MEAN) / fixture.STD, fixture.SIZE)
    return torch.from_numpy(tensor[None, None].astype(np.float32)), float(tensor.sum())


def terms(method, act, grad):
    """What a gradient method sums over channels (w_c A_c, G A or max(G, 0) A), C x D x H x W."""
    axes = (1, 2, 3)
    if method == 'hirescam':
        return grad * act
    if method == 'layercam':
        return np.maximum(grad, 0) * act
    if method == 'gradcam':
        weights = grad.mean(axis=axes)
    elif method == 'gradcam++':
        g2 = grad**2
        g3 = g2 * grad
        total = act.sum(axis=axes)
        alpha = g2 / (2 * g2 + total[:, None, None, None] * g3 + np.float32(1e-6))
        alpha = np.where(grad != 0, alpha, np.float32(0))
        weights = (np.maximum(grad, 0) * alpha).sum(axis=axes)
    elif method == 'xgradcam':
        total = act.sum(axis=axes)
        weights = (grad * act / (total[:, None, None, None] + np.float32(1e-7))).sum(axis=axes)
    else:
        raise ValueError(method)
    return weights[:, None, None, None] * act


def gradient_cam(method, act, grad):
    return np.maximum(terms(method, act, grad).sum(axis=0), 0)


def eigen_cam(act):
    """The first principal component of the maps, ReLU'd: EigenCAM of activations, eigen_smooth of a method's terms."""
    c = act.shape[0]
    m = act.reshape(c, -1).T.astype(np.float64)
    centred = m - m.mean(axis=0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    p = centred @ vt[0, :]
    if float(np.dot(p, m.sum(axis=1))) < 0:
        p = -p
    return np.maximum(p, 0).reshape(act.shape[1:]).astype(np.float32)


def ablation_cam(model, layer, x, act, cls, score):
    weights = np.zeros(act.shape[0], dtype=np.float32)
    assert act.min() == 0, 'the ablation value is 0 only after a ReLU'
    for k in range(act.shape[0]):
        def ablate(_module, _inputs, output, k=k):
            output = output.clone()
            output[:, k] = 0
            return output

        handle = layer.register_forward_hook(ablate)
        try:
            with torch.no_grad():
                ablated = float(model(x)[0, cls])
        finally:
            handle.remove()
        weights[k] = (score - ablated) / score
    return np.maximum((weights[:, None, None, None] * act).sum(axis=0), 0)


def score_cam(model, x, act, cls):
    maps = torch.from_numpy(act)[None]
    up = F.interpolate(maps, size=x.shape[-3:], mode='trilinear', align_corners=True)
    flat = up.reshape(up.shape[0], up.shape[1], -1)
    lo = flat.min(dim=-1).values[:, :, None, None, None]
    hi = flat.max(dim=-1).values[:, :, None, None, None]
    masks = (up - lo) / (hi - lo + 1e-8)
    with torch.no_grad():
        scores = [float(model(x * masks[0, k][None, None])[0, cls]) for k in range(masks.shape[1])]
    weights = torch.softmax(torch.tensor(scores, dtype=torch.float32), dim=0).numpy()
    return np.maximum((weights[:, None, None, None] * act).sum(axis=0), 0)


def f32(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype='<f4').tobytes()).decode()


def u16(a):
    return base64.b64encode(np.round(np.clip(a, 0, 1) * 65535).astype('<u2').tobytes()).decode()


def main():
    model = build_model()
    x, tensor_sum = input_tensor()
    reference = json.load(open(os.path.join(fixture.OUT, 'reference.json')))
    print('tensor sum', tensor_sum, 'make_3d_reference.py', reference['tensorSum'])
    # The file's affine is float32 (what ScanLens reads); make_3d_reference.py used its float64 original: sums differ by a few 1e-6.
    assert abs(tensor_sum - reference['tensorSum']) < 1e-5 * abs(tensor_sum), 'the tensor is make_3d_reference.py\'s'
    with torch.no_grad():
        logits = model(x)[0].numpy()
    print('logits', logits, 'make_3d_reference.py', reference['logits'])
    assert np.abs(logits - np.array(reference['logits'])).max() < 1e-4, 'the model is make_3d_reference.py\'s'
    top = int(np.argmax(logits))
    classes = [top, int(np.argmin(logits))]
    cases = []
    for name, tensor in LAYERS.items():
        layer = getattr(model, name)
        for cls in classes:
            _logits, act, grad = activations_and_gradients(model, layer, x, cls)
            maps = {m: gradient_cam(m, act, grad) for m in GRADIENT_METHODS}
            maps['eigencam'] = eigen_cam(act)
            maps['ablationcam'] = ablation_cam(model, layer, x, act, cls, float(logits[cls]))
            maps['scorecam'] = score_cam(model, x, act, cls)
            if cls == top:
                maps.update({f'{m} eigen_smooth': eigen_cam(terms(m, act, grad)) for m in GRADIENT_METHODS})
            case = {'layer': tensor, 'class': cls, 'shape': list(act.shape[1:]), 'cam': {m: f32(v) for m, v in maps.items()}}
            if cls == top:
                up = F.interpolate(torch.from_numpy(maps['gradcam'])[None, None], size=fixture.SIZE, mode='trilinear', align_corners=False)[0, 0].numpy().astype(np.float64)
                case['grid'] = {'method': 'gradcam', 'shape': list(fixture.SIZE), 'u16': u16((up - up.min()) / (up.max() - up.min()))}
            cases.append(case)
            print(name, cls, act.shape, {m: float(v.max()) for m, v in maps.items()})
    with open(OUT, 'w') as f:
        json.dump({
            'about': 'scripts/reference/cam3d_reference.py: PyTorch autograd CAMs (pytorch-grad-cam definitions over D x H x W) of the volume3d fixture model on its preprocessed volume',
            'logits': logits.astype(float).tolist(),
            'cases': cases,
        }, f)
        f.write('\n')


if __name__ == '__main__':
    main()

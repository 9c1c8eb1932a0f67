#!/usr/bin/python3
"""pytorch-grad-cam's CAM methods on real torchvision exports, at two layers each.

The definitions are cam_reference.py's (pytorch-grad-cam's Grad-CAM, Grad-CAM++ with
eps 1e-6, XGradCAM with eps 1e-7, HiResCAM, LayerCAM, EigenCAM with ScanLens' sign
rule; final ReLU), on the reduced torchvision models of make_real_exports.py, built
with its seeds and randomisation and exported the ordinary way (torch.onnx.export,
opset 17, dynamic batch). Activations and gradients by autograd through hooks:

- the standard target layer, where make_real_exports.py reads Grad-CAM (the tensor the
  final average pool reads; ViT: the last encoder block's ln_1, tokens to the grid;
  DenseNet: the ReLU after the features), which ScanLens picks automatically;
- an earlier layer whose gradients vary spatially (a middle stage's output, ViT's first
  block's ln_1), named to ScanLens by its ONNX tensor: the output of the last node in
  the module's export scope, its shape checked against the hooked tensor's. Swin has
  no earlier layer here: its stages are channels-last, which pytorch-grad-cam reads
  through a reshape_transform and ScanLens does not take.

For the two top classes of each model, each gradient method also with eigen_smooth. A map
that is rounding noise (see NOISE) is marked so (and has no eigen_smooth case: the noise
would sign the projection). Usage:
  /usr/bin/python3 scripts/reference/cam_reference_real.py OUT_DIR [--full]
--full adds torchvision's full-size ViT-B/16 (224 x 224, ~330 MB; its seed as in
make_real_exports.py --full), at blocks 11 (standard) and 5.
Writes OUT_DIR/<arch>.onnx, OUT_DIR/input.png and OUT_DIR/cam-methods.json (not
committed: the exports are megabytes; the test makes them when missing or stale).
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cam_reference as ref  # noqa: E402
import make_real_exports as real  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = [os.path.join(HERE, f) for f in ('cam_reference.py', 'cam_reference_real.py', 'make_real_exports.py')]

# (seed index in make_real_exports.main's job order, builder, earlier module path, its export scope)
MODELS = {
    'vit': (0, real.small_vit, 'encoder.layers.encoder_layer_0.ln_1', '/encoder/layers/encoder_layer_0/ln_1/'),
    'swin': (1, real.small_swin, None, None),
    'convnext': (2, real.small_convnext, 'features.5', '/features/features.5/'),
    'efficientnet': (3, real.small_efficientnet, 'features.6', '/features/features.6/'),
    'densenet': (4, real.small_densenet, 'features.denseblock3', '/features/denseblock3/'),
    'resnet50': (5, real.small_resnet50, 'layer3', '/layer3/'),
    'mobilenetv3': (6, real.small_mobilenetv3, 'features.9', '/features/features.9/'),
    'regnet': (7, real.small_regnet, 'trunk_output.block1', '/trunk_output/block1/'),
    'resnet50-softmax': (8, lambda: real.WithSoftmax(real.small_resnet50()), 'inner.layer3', '/inner/layer3/'),
    'vit-softmax': (9, lambda: real.WithSoftmax(real.small_vit()), 'inner.encoder.layers.encoder_layer_0.ln_1', '/inner/encoder/layers/encoder_layer_0/ln_1/'),
}
FULL = {'vit-b16': (10, real.full_vit_b16, 'encoder.layers.encoder_layer_5.ln_1', '/encoder/layers/encoder_layer_5/ln_1/')}


# A map whose channel sum is below this fraction of the sum of its terms' magnitudes is
# rounding noise: HiResCAM at a tensor that feeds only a channel LayerNorm (ConvNeXt's
# stage outputs) is 0 in exact arithmetic, since LayerNorm(a x) = LayerNorm(x) makes
# sum_c G_c A_c = 0 at every position; float32 leaves ~1e-6 of the terms, and the
# PyTorch map itself moves by 0.03 between float32 and float64. Such cases record the
# terms' scale as 'noise' and are checked for being that small, not for their shape.
NOISE = 1e-4


def activations_and_gradients(model, arch, x, cls, module_path):
    """(act, grad) as C x H x W float32 at the standard layer (module_path None) or a module's output."""
    saved = {}

    def keep(t):
        saved['act'] = t
        t.register_hook(lambda g: saved.__setitem__('grad', g))

    handles = []
    inner = model.inner if isinstance(model, real.WithSoftmax) else model
    if module_path is not None:
        handles.append(ref.module(model, module_path).register_forward_hook(lambda _m, _i, out: keep(out)))
        out = model(x)
    else:
        target, kind, _tokens = real.target_of(arch, model)
        if kind == 'output':
            handles.append(target.register_forward_hook(lambda _m, _i, out: keep(out)))
            out = model(x)
        elif kind == 'input':
            handles.append(target.register_forward_pre_hook(lambda _m, inp: keep(inp[0])))
            out = model(x)
        else:  # DenseNet: features, functional ReLU, pool, classifier (as make_real_exports.grad_cam).
            act = nn.functional.relu(inner.features(x))
            keep(act)
            out = inner.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(act, (1, 1)), 1))
            if isinstance(model, real.WithSoftmax):
                out = torch.softmax(out, dim=1)
    model.zero_grad()
    out[0, cls].backward()
    for h in handles:
        h.remove()
    act = ref.to_grid(saved['act'].detach())[0].numpy().astype(np.float32)
    grad = ref.to_grid(saved['grad'].detach())[0].numpy().astype(np.float32)
    return out.detach()[0].numpy(), act, grad, tuple(saved['act'].shape)


def scope_output(path, scope):
    """The output of the last node (graph order) in an export scope, and its inferred shape."""
    proto = onnx.shape_inference.infer_shapes(onnx.load(path))
    nodes = [n for n in proto.graph.node if n.name.startswith(scope)]
    if not nodes:
        sys.exit(f'{path}: no node in scope {scope}')
    tensor = nodes[-1].output[0]
    shapes = {v.name: [d.dim_value if d.HasField('dim_value') else -1 for d in v.type.tensor_type.shape.dim] for v in proto.graph.value_info}
    return tensor, shapes.get(tensor)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) != 1:
        sys.exit(__doc__)
    out_dir = args[0]
    full = '--full' in sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    from PIL import Image
    inputs = {}
    for size, png in [(real.SIZE, 'input.png')] + ([(224, 'input224.png')] if full else []):
        pixels = real.input_image(size, 5)
        Image.fromarray(pixels, 'RGB').save(os.path.join(out_dir, png))
        inputs[size] = (png, torch.from_numpy(pixels.astype(np.float32) / 255).permute(2, 0, 1)[None])
    digest = hashlib.sha256()
    for script in SCRIPTS:
        with open(script, 'rb') as f:
            digest.update(f.read())
    cases = []
    models = {**MODELS, **(FULL if full else {})}
    for arch, (seed, build, earlier, scope) in models.items():
        size = 224 if arch in FULL else real.SIZE
        png, x = inputs[size]
        torch.manual_seed(200 + seed)
        model = build()
        real.randomise(model)
        model.eval()
        path = os.path.join(out_dir, f'{arch}.onnx')
        real.export(model, path, size, True, 17)
        with torch.no_grad():
            classes = torch.argsort(model(x)[0], descending=True)[:2].tolist()
        layers = [(None, None, True)]
        if earlier:
            tensor, shape = scope_output(path, scope)
            layers.append((earlier, tensor, False))
        for module_path, tensor, standard in layers:
            for cls in classes:
                _out, act, grad, hooked = activations_and_gradients(model, arch, x, cls, module_path)
                if tensor is not None and shape and list(shape[1:]) != list(hooked[1:]):
                    sys.exit(f'{arch}: {tensor} has shape {shape}, the hooked {module_path} {hooked}')
                for method in ref.METHODS:
                    m, _sign = ref.cam(method, act, grad)
                    case = {
                        'model': arch, 'input': png, 'layer': tensor, 'module': module_path or 'standard', 'standard': standard, 'class': cls,
                        'method': method, 'height': m.shape[0], 'width': m.shape[1], 'data': ref.rounded(m, 7),
                    }
                    noise = False
                    if method != 'eigencam':
                        terms = ref.weighted_activations(method, act, grad).astype(np.float64)
                        scale = float(np.abs(terms).sum(axis=0).max())
                        noise = float(np.abs(terms.sum(axis=0)).max()) < NOISE * scale
                        if noise:
                            case['noise'] = scale
                    cases.append(case)
                    # eigen_smooth, except where the unsmoothed map (which signs the projection) is noise.
                    if method != 'eigencam' and not noise:
                        m, _sign = ref.cam(method, act, grad, eigen_smooth=True)
                        cases.append({**case, 'eigenSmooth': True, 'data': ref.rounded(m, 7)})
        # FullGrad: every bias layer, no target layer; at the input's resolution.
        for cls in classes:
            m = ref.fullgrad(model, x, cls)
            cases.append({
                'model': arch, 'input': png, 'layer': '', 'module': 'every bias layer', 'standard': True, 'class': cls,
                'method': 'fullgrad', 'height': m.shape[0], 'width': m.shape[1], 'data': ref.rounded(m, 7),
            })
        print(f'{arch}: classes {classes}, layers {[t or "automatic" for _m, t, _s in layers]}', file=sys.stderr)
    with open(os.path.join(out_dir, 'cam-methods.json'), 'w') as f:
        json.dump({'scripts_sha256': digest.hexdigest(), 'full': full, 'models': {a: f'{a}.onnx' for a in models}, 'cases': cases}, f)


if __name__ == '__main__':
    main()

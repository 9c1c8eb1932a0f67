#!/usr/bin/python3
"""torchvision architectures exported the ordinary way, with PyTorch-autograd Grad-CAM references.

Builds reduced-width/depth instances of torchvision's own classes (VisionTransformer,
SwinTransformer, ConvNeXt, EfficientNet-B0's block list, DenseNet, ResNet with Bottleneck
blocks, MobileNetV3, RegNet) with seeded random weights (nothing is downloaded), so each
graph contains exactly the ops of the full-size export but runs in milliseconds. Each is
exported with torch.onnx.export at opset 17 with a static and a dynamic batch axis, and at
opset 14 (torch 1.13's default: LayerNorm decomposed into ReduceMean/Sub/Pow/Sqrt/Div) with
a dynamic one; the ResNet and the ViT are also wrapped with a Softmax output. torch 1.13
(Debian's) exports at most opset 17 and onnx 1.12 converts to at most 17, so the opset-18
files are exports rewritten the way opset 18 changed these ops (Reduce* axes from attribute
to input; nothing else these graphs use changed between 14 and 18) and marked opset 18:
the opset-17 exports, and for the LayerNorm models the opset-14 ones.
Labels go into metadata_props as make_explain_models.py does; there is no manifest.

Grad-CAM references follow pytorch-grad-cam: weights = spatial mean of d score / d A,
cam = ReLU(sum_k w_k A_k). Target layers: ViT, the last encoder block's ln_1 output with
the class token dropped and the tokens reshaped to the patch grid; every other model, the
tensor its final global average pool reads (Swin: the last stage after its LayerNorm,
permuted to channels-first; DenseNet: the ReLU after the last dense block).

Usage: /usr/bin/python3 scripts/reference/make_real_exports.py OUT_DIR [--full]
  --full also exports torchvision's full-size ViT-B/16 (224x224, ~330 MB) for the bench.
Writes OUT_DIR/<name>.onnx, OUT_DIR/input.png (and input224.png), OUT_DIR/reference.json.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn
from torchvision.models import convnext, densenet, efficientnet, mobilenetv3, regnet, resnet, swin_transformer, vision_transformer

SIZE = 128
LABELS = ['glioma', 'meningioma', 'notumor', 'pituitary']


def small_vit():
    return vision_transformer.VisionTransformer(image_size=SIZE, patch_size=16, num_layers=2, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=len(LABELS))


def full_vit_b16():
    return vision_transformer.vit_b_16(weights=None, num_classes=len(LABELS))


def small_swin():
    # swin_t: patch 4, embed 96, depths [2,2,6,2], heads [3,6,12,24], window 7; here narrower and shallower
    # (windows shift in the second block of stages 1 and 2; stage 4's map is one window, as in swin_t at 224).
    return swin_transformer.SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2, 1, 1], num_heads=[2, 2, 4, 8], window_size=[4, 4], stochastic_depth_prob=0.0, num_classes=len(LABELS))


def small_convnext():
    cfg = convnext.CNBlockConfig
    setting = [cfg(16, 32, 1), cfg(32, 64, 1), cfg(64, 128, 2), cfg(128, None, 1)]
    return convnext.ConvNeXt(setting, stochastic_depth_prob=0.0, layer_scale=0.5, num_classes=len(LABELS))


def small_efficientnet():
    setting, last = efficientnet._efficientnet_conf('efficientnet_b0', width_mult=0.5, depth_mult=0.5)
    return efficientnet.EfficientNet(setting, dropout=0.2, last_channel=last, num_classes=len(LABELS))


def small_densenet():
    return densenet.DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16, bn_size=2, num_classes=len(LABELS))


def small_resnet50():
    return resnet.ResNet(resnet.Bottleneck, [1, 1, 1, 1], num_classes=len(LABELS), width_per_group=16)


def small_mobilenetv3():
    setting, last = mobilenetv3._mobilenet_v3_conf('mobilenet_v3_small', width_mult=0.5)
    return mobilenetv3.MobileNetV3(setting, last_channel=last, num_classes=len(LABELS))


def small_regnet():
    params = regnet.BlockParams.from_init_params(depth=4, w_0=16, w_a=8.0, w_m=2.0, group_width=8, se_ratio=0.25)
    return regnet.RegNet(params, num_classes=len(LABELS), stem_width=16)


class WithSoftmax(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return torch.softmax(self.inner(x), dim=1)


ARCHS = {
    'vit': small_vit,
    'swin': small_swin,
    'convnext': small_convnext,
    'efficientnet': small_efficientnet,
    'densenet': small_densenet,
    'resnet50': small_resnet50,
    'mobilenetv3': small_mobilenetv3,
    'regnet': small_regnet,
}


def randomise(model):
    """Random statistics and affine terms, and a classifier wide enough that class scores differ."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
        if isinstance(m, nn.LayerNorm):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
        if isinstance(m, nn.Linear) and m.out_features == len(LABELS):
            nn.init.uniform_(m.weight, -0.3, 0.3)
            nn.init.uniform_(m.bias, -0.1, 0.1)
    # torchvision zero-initialises ViT's head and gives its class token and positions zeros.
    if isinstance(model, vision_transformer.VisionTransformer):
        model.class_token.data.normal_(0, 0.5)
        model.encoder.pos_embedding.data.normal_(0, 0.5)


def target_of(name, model):
    """(module, hook kind, tokens): where the reference reads activations and gradients."""
    inner = model.inner if isinstance(model, WithSoftmax) else model
    if isinstance(inner, vision_transformer.VisionTransformer):
        return inner.encoder.layers[-1].ln_1, 'output', True
    if isinstance(inner, densenet.DenseNet):
        return None, 'densenet', False
    return inner.avgpool, 'input', False


def grad_cam(model, name, x, cls):
    module, kind, tokens = target_of(name, model)
    saved = {}

    def keep(t):
        saved['act'] = t
        t.register_hook(lambda g: saved.__setitem__('grad', g))

    handles = []
    if kind == 'output':
        handles.append(module.register_forward_hook(lambda _m, _i, out: keep(out)))
        out = model(x)
    elif kind == 'input':
        handles.append(module.register_forward_pre_hook(lambda _m, inp: keep(inp[0])))
        out = model(x)
    else:  # DenseNet's forward: features, functional ReLU, pool, classifier.
        inner = model.inner if isinstance(model, WithSoftmax) else model
        act = nn.functional.relu(inner.features(x))
        keep(act)
        out = inner.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(act, (1, 1)), 1))
        if isinstance(model, WithSoftmax):
            out = torch.softmax(out, dim=1)
    model.zero_grad()
    out[0, cls].backward()
    for h in handles:
        h.remove()
    act, grad = saved['act'].detach(), saved['grad'].detach()
    if tokens:
        side = int(round((act.shape[1] - 1) ** 0.5))
        act = act[:, 1:, :].reshape(1, side, side, -1).permute(0, 3, 1, 2)
        grad = grad[:, 1:, :].reshape(1, side, side, -1).permute(0, 3, 1, 2)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * act).sum(dim=1))[0]
    return out.detach()[0], cam


def explained_class(model, name, x):
    """The top class, or the next one down when its map is all zero (a constant map tests nothing)."""
    order = torch.argsort(model(x).detach()[0], descending=True).tolist()
    for cls in order:
        out, cam = grad_cam(model, name, x, cls)
        if float(cam.max()) > 0 and int((cam > 0).sum()) > 1:
            return cls, out, cam
    return order[0], *grad_cam(model, name, x, order[0])


def label(path):
    proto = onnx.load(path)
    entry = proto.metadata_props.add()
    entry.key, entry.value = 'labels', json.dumps(LABELS)
    onnx.save(proto, path)


def export(model, path, size, dynamic, opset=17):
    axes = {'input': {0: 'batch'}, 'output': {0: 'batch'}} if dynamic else None
    torch.onnx.export(model, torch.zeros(1, 3, size, size), path, opset_version=opset, input_names=['input'], output_names=['output'], dynamic_axes=axes)
    label(path)


LAYER_NORMED = ('vit', 'vit-softmax', 'swin', 'convnext')


def variants(arch, out_dir, size):
    """(name, opset, batch, make(model, path)) for each file of one architecture.

    opset 17 static and dynamic; its opset-18 form; opset 14, torch 1.13's default, where
    LayerNorm is exported decomposed (ReduceMean, Sub, Pow, Sqrt, Div) — and for the
    LayerNorm models that graph's opset-18 form too, whose ReduceMeans take axes as an input.
    """
    def plain(opset, dynamic):
        return lambda model, path: export(model, path, size, dynamic, opset)

    def rewritten(opset):
        def make(model, path):
            source = os.path.join(out_dir, f'{arch}-opset{opset}-dynamic.onnx')
            to_opset18(source, path)
        return make

    if arch == 'vit-b16':
        return [(f'{arch}-opset17-dynamic', 17, 'dynamic', plain(17, True))]
    out = []
    if not arch.endswith('-softmax'):
        out.append((f'{arch}-opset17-static', 17, 'static', plain(17, False)))
    out.append((f'{arch}-opset17-dynamic', 17, 'dynamic', plain(17, True)))
    out.append((f'{arch}-opset18-dynamic', 18, 'dynamic', rewritten(17)))
    if not arch.endswith('-softmax'):
        out.append((f'{arch}-opset14-dynamic', 14, 'dynamic', plain(14, True)))
        if arch in LAYER_NORMED:
            out.append((f'{arch}-opset18-decomposed-dynamic', 18, 'dynamic', rewritten(14)))
    return out


REDUCE_AXES_TO_INPUT = {'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'}


def to_opset18(src, dst):
    """Opset 18 moved the Reduce* ops' axes from an attribute to an input; nothing else these graphs use changed."""
    proto = onnx.load(src)
    for i, node in enumerate(proto.graph.node):
        if node.op_type not in REDUCE_AXES_TO_INPUT:
            continue
        axes = [a for a in node.attribute if a.name == 'axes']
        if not axes:
            continue
        name = f'{node.output[0]}_axes18'
        proto.graph.initializer.append(numpy_helper.from_array(np.array(list(axes[0].ints), dtype=np.int64), name))
        node.attribute.remove(axes[0])
        node.input.append(name)
    for entry in proto.opset_import:
        if entry.domain in ('', 'ai.onnx'):
            entry.version = 18
    proto.ir_version = max(proto.ir_version, 8)
    onnx.save(proto, dst)


def input_image(size, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    blobs = np.exp(-((xx - 0.3) ** 2 + (yy - 0.4) ** 2) / 0.02) + 0.6 * np.exp(-((xx - 0.7) ** 2 + (yy - 0.7) ** 2) / 0.01)
    rgb = np.stack([blobs, blobs * 0.8, blobs * 0.6], axis=-1) + rng.uniform(0, 0.2, (size, size, 3))
    return np.clip(np.round(rgb / rgb.max() * 255), 0, 255).astype(np.uint8)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) != 1:
        sys.exit(__doc__)
    out_dir = args[0]
    full = '--full' in sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    from PIL import Image
    torch.set_num_threads(2)

    import hashlib
    with open(__file__, 'rb') as f:
        script = hashlib.sha256(f.read()).hexdigest()
    # The test regenerates the cache when this script changes.
    reference = {'script_sha256': script, 'torch': torch.__version__, 'full': full, 'labels': LABELS, 'models': {}}
    inputs = {}
    for size in [SIZE] + ([224] if full else []):
        pixels = input_image(size, 5)
        png = 'input.png' if size == SIZE else f'input{size}.png'
        Image.fromarray(pixels, 'RGB').save(os.path.join(out_dir, png))
        inputs[size] = (png, torch.from_numpy(pixels.astype(np.float32) / 255).permute(2, 0, 1)[None])

    jobs = [(arch, build, SIZE) for arch, build in ARCHS.items()]
    jobs.append(('resnet50-softmax', lambda: WithSoftmax(small_resnet50()), SIZE))
    jobs.append(('vit-softmax', lambda: WithSoftmax(small_vit()), SIZE))
    if full:
        jobs.append(('vit-b16', full_vit_b16, 224))
    import time
    for seed, (arch, build, size) in enumerate(jobs):
        started = time.time()
        torch.manual_seed(200 + seed)
        model = build()
        randomise(model)
        model.eval()
        png, x = inputs[size]
        cls, out, cam = explained_class(model, arch, x)
        entry = {
            'input': png,
            'class': cls,
            'output': [float(v) for v in out],
            'softmax': isinstance(model, WithSoftmax),
            'cam': {'height': cam.shape[0], 'width': cam.shape[1], 'data': [float(v) for v in cam.flatten()]},
        }
        for name, opset, batch, make in variants(arch, out_dir, size):
            make(model, os.path.join(out_dir, f'{name}.onnx'))
            reference['models'][name] = {**entry, 'file': f'{name}.onnx', 'arch': arch, 'opset': opset, 'batch': batch}
        nz = int((cam > 0).sum())
        print(f'{arch} ({time.time() - started:.1f} s): class {cls}, cam {tuple(cam.shape)} max {float(cam.max()):.4g} nonzero {nz}, output {out.numpy().round(3)}', file=sys.stderr)
    with open(os.path.join(out_dir, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=1)


if __name__ == '__main__':
    main()

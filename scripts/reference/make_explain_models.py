#!/usr/bin/python3
"""Small seeded models and PyTorch-autograd Grad-CAM references for ScanLens' explain tests.

Builds three random-weight classifiers (ResNet-shaped from torchvision's BasicBlock,
MobileNetV3-shaped from torchvision's own MobileNetV3 class, and a tiny ViT), exports
each to ONNX (opset 17, dynamic batch) with its labels in metadata_props and no
manifest, and computes Grad-CAM with hooks, as pytorch-grad-cam defines it:
weights = spatial mean of d logit[c] / d activations, cam = ReLU(sum_k w_k A_k).
The ViT's activations are the last block's pre-attention LayerNorm output with the
class token dropped and the tokens reshaped to the patch grid.

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx).
Writes test/fixtures/explain/{resnet,mobilenetv3,vit}.onnx, input.png, reference.json.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn
from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3
from torchvision.models.resnet import BasicBlock

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'explain')
SIZE = 64
LABELS = ['glioma', 'meningioma', 'notumor', 'pituitary']


class TinyResNet(nn.Module):
    """A narrow ResNet: stem, max-pool, two torchvision BasicBlocks (one downsampling), GAP, fc."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.pool = nn.MaxPool2d(3, 2, 1)
        down = nn.Sequential(nn.Conv2d(8, 16, 1, 2, bias=False), nn.BatchNorm2d(16))
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 16, stride=2, downsample=down)
        self.fc = nn.Linear(16, len(LABELS))

    def forward(self, x):
        x = self.layer2(self.layer1(self.pool(self.stem(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def tiny_mobilenet():
    """torchvision's MobileNetV3 with a short block list: hardswish, squeeze-excitation, two-layer head."""
    setting = [
        InvertedResidualConfig(16, 3, 16, 16, True, 'RE', 2, 1, 1.0),
        InvertedResidualConfig(16, 3, 32, 24, False, 'RE', 2, 1, 1.0),
        InvertedResidualConfig(24, 5, 48, 24, True, 'HS', 1, 1, 1.0),
    ]
    model = MobileNetV3(setting, last_channel=64, num_classes=len(LABELS))
    # torchvision initialises the head with std 0.01; wider weights give logits worth explaining.
    for m in model.classifier:
        if isinstance(m, nn.Linear):
            nn.init.uniform_(m.weight, -0.3, 0.3)
    return model


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 2 * dim)
        self.fc2 = nn.Linear(2 * dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1) * (d // self.heads) ** -0.5).softmax(dim=-1)
        x = x + self.proj((attn @ v).transpose(1, 2).reshape(b, n, d))
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm2(x))))


class TinyViT(nn.Module):
    """timm-style ViT: 8x8 patches, class token, learned positions, pre-norm blocks, head on the class token."""

    def __init__(self, dim=32, depth=2, heads=4, patch=8):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.5)
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + (SIZE // patch) ** 2, dim) * 0.5)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, len(LABELS))

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


def randomise_norms(model):
    """Random running statistics and affine terms, so normalisation layers are not identities."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
        if isinstance(m, nn.LayerNorm):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def grad_cam(model, layer, x, cls, tokens=False):
    saved = {}

    def hook(_module, _inputs, output):
        saved['act'] = output
        output.register_hook(lambda g: saved.__setitem__('grad', g))

    handle = layer.register_forward_hook(hook)
    logits = model(x)
    model.zero_grad()
    logits[0, cls].backward()
    handle.remove()
    act, grad = saved['act'].detach(), saved['grad'].detach()
    if tokens:
        side = int(round((act.shape[1] - 1) ** 0.5))
        act = act[:, 1:, :].reshape(1, side, side, -1).permute(0, 3, 1, 2)
        grad = grad[:, 1:, :].reshape(1, side, side, -1).permute(0, 3, 1, 2)
    weights = grad.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * act).sum(dim=1))[0]
    return logits.detach()[0], cam


def export(model, name):
    path = os.path.join(OUT, f'{name}.onnx')
    torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), path, opset_version=17,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    proto = onnx.load(path)
    entry = proto.metadata_props.add()
    entry.key, entry.value = 'labels', json.dumps(LABELS)
    onnx.save(proto, path)
    return os.path.getsize(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(5)
    # A smooth synthetic image (two blobs) as the input everyone sees: stored as PNG so the
    # CLI reads the very same pixels.
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    blobs = np.exp(-((xx - 0.3) ** 2 + (yy - 0.4) ** 2) / 0.02) + 0.6 * np.exp(-((xx - 0.7) ** 2 + (yy - 0.7) ** 2) / 0.01)
    rgb = np.stack([blobs, blobs * 0.8, blobs * 0.6], axis=-1) + rng.uniform(0, 0.2, (SIZE, SIZE, 3))
    pixels = np.clip(np.round(rgb / rgb.max() * 255), 0, 255).astype(np.uint8)
    from PIL import Image
    Image.fromarray(pixels, 'RGB').save(os.path.join(OUT, 'input.png'))
    x = torch.from_numpy(pixels.astype(np.float32) / 255).permute(2, 0, 1)[None]

    reference = {'input': 'input.png', 'labels': LABELS, 'class': 1, 'models': {}}
    builders = {
        'resnet': (TinyResNet, lambda m: m.layer2, False),
        'mobilenetv3': (tiny_mobilenet, lambda m: m.features[-1], False),
        'vit': (TinyViT, lambda m: m.blocks[-1].norm1, True),
    }
    for seed, (name, (build, layer, tokens)) in enumerate(builders.items()):
        torch.manual_seed(100 + seed)
        model = build()
        randomise_norms(model)
        model.eval()
        size = export(model, name)
        logits, cam = grad_cam(model, layer(model), x, reference['class'], tokens)
        reference['models'][name] = {
            'file': f'{name}.onnx',
            'logits': [float(v) for v in logits],
            'cam': {'height': cam.shape[0], 'width': cam.shape[1], 'data': [float(v) for v in cam.flatten()]},
        }
        print(f'{name}: {size} bytes, cam {tuple(cam.shape)} max {float(cam.max()):.4g} nonzero {int((cam > 0).sum())}, logits {logits.numpy().round(3)}', file=sys.stderr)
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=1)


if __name__ == '__main__':
    main()

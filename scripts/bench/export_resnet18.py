#!/usr/bin/python3
"""Exports a ResNet-18-sized model for `npm run bench`: torchvision's resnet18
(1000 classes, 224x224 RGB) with seeded random weights, ONNX opset 17, dynamic
batch, no manifest. Not committed (45 MB): written to .cache/bench/resnet18.onnx.
pytorch_gradcam.py rebuilds the same weights from the same seed.

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx).
"""
import os
import sys

import torch
from torchvision.models import resnet18

SEED = 1234
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '.cache', 'bench', 'resnet18.onnx')


def build():
    torch.manual_seed(SEED)
    model = resnet18(num_classes=1000)
    # Random BatchNorm statistics, so activations are not plain copies of the weights' init.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    os.makedirs(os.path.dirname(out), exist_ok=True)
    model = build()
    torch.onnx.export(
        model, torch.zeros(1, 3, 224, 224), out, opset_version=17,
        input_names=['input'], output_names=['logits'],
        dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
    )
    print(out)


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""PyTorch side of `npm run bench`: the ResNet-18 of export_resnet18.py (same
seed, same weights) on the input tensor ScanLens prepared (raw float32,
1x3x224x224), timing a plain forward and an autograd Grad-CAM as
pytorch-grad-cam computes it (hooks on layer4, backward from the top logit,
weights = spatial mean of the gradients, ReLU of the weighted sum, upsampled
to the input and min-max normalised). Prints one JSON object of medians in ms.

Usage: pytorch_gradcam.py INPUT.bin THREADS RUNS
"""
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from export_resnet18 import build


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    path, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    model = build()
    x = torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(1, 3, 224, 224))
    store = {}
    model.layer4.register_forward_hook(lambda m, i, o: store.__setitem__('act', o))
    model.layer4.register_full_backward_hook(lambda m, gi, go: store.__setitem__('grad', go[0]))

    def forward():
        with torch.no_grad():
            return model(x)

    def gradcam():
        model.zero_grad()
        logits = model(x)
        logits[0, int(logits[0].argmax())].backward()
        weights = store['grad'].mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * store['act']).sum(dim=1, keepdim=True))
        cam = F.interpolate(cam, size=(224, 224), mode='bilinear', align_corners=False)
        cam = (cam - cam.min()) / (cam.max() - cam.min() + 1e-7)
        return cam.detach().numpy()

    result = {
        'torch': torch.__version__,
        'threads': threads,
        'forward_ms': median_ms(forward, runs),
        'gradcam_ms': median_ms(gradcam, runs),
        'top': int(forward()[0].argmax()),
    }
    print(json.dumps(result))


if __name__ == '__main__':
    main()

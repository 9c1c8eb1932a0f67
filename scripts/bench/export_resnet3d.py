#!/usr/bin/python3
"""Exports a 96^3 single-channel 3D ResNet for `npm run bench` (issue 21's 3D target), and a volume to run it on.

The network is shaped as MONAI's ResNet-10 (a 7^3 stride-2 stem, max pool, four
stages of one basic block each, global average pool, Linear) at widths 32-256,
seeded random weights with random BatchNorm statistics; ONNX opset 17, dynamic
batch, no manifest (its 96^3 size is read from the graph). The volume is the
ch2 head of mricron-data at 2 mm (91 x 109 x 91): ScanLens crops and pads it to
96^3. Not committed: written to .cache/bench/resnet3d-96.onnx and
.cache/bench/head-2mm.nii.gz.

Run with Debian's /usr/bin/python3 (torch 1.13, onnx, nibabel, scipy).
"""
import os

import nibabel as nib
import numpy as np
import torch
from scipy import ndimage
from torch import nn

SEED = 1234
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '.cache', 'bench')


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv3d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm3d(cout)
        self.conv2 = nn.Conv3d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm3d(cout)
        self.relu = nn.ReLU()
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv3d(cin, cout, 1, stride, bias=False), nn.BatchNorm3d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + (x if self.down is None else self.down(x)))


class ResNet10(nn.Module):
    def __init__(self, widths=(32, 64, 128, 256), classes=2):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv3d(1, widths[0], 7, 2, 3, bias=False), nn.BatchNorm3d(widths[0]), nn.ReLU(), nn.MaxPool3d(3, 2, 1))
        stages, cin = [], widths[0]
        for i, w in enumerate(widths):
            stages.append(Block(cin, w, 1 if i == 0 else 2))
            cin = w
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        return self.fc(self.pool(self.stages(self.stem(x))).flatten(1))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(SEED)
    model = ResNet10()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    model.eval()
    path = os.path.join(OUT, 'resnet3d-96.onnx')
    torch.onnx.export(model, torch.zeros(1, 1, 96, 96, 96), path, opset_version=17, input_names=['volume'], output_names=['logits'], dynamic_axes={'volume': {0: 'batch'}, 'logits': {0: 'batch'}})
    head = nib.load('/usr/share/mricron/templates/ch2.nii.gz')
    data = ndimage.gaussian_filter(np.asarray(head.dataobj, dtype=np.float32), 0.85)[::2, ::2, ::2]
    affine = head.affine.copy()
    affine[:3, :3] *= 2
    nib.save(nib.Nifti1Image(np.round(data).astype(np.uint8), affine), os.path.join(OUT, 'head-2mm.nii.gz'))
    print(path)


if __name__ == '__main__':
    main()

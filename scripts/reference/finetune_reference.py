#!/usr/bin/python3
"""PyTorch reference for ScanLens' fine-tuning step (scanlens train --finetune-blocks).

A small seeded CNN — Conv 1->4 3x3 (bias) + BatchNorm + ReLU + MaxPool 2,
depthwise Conv 4->4 3x3 stride 2 (groups 4, bias) + BatchNorm + ReLU,
global average pool, Linear 4->3 — with non-trivial BatchNorm running
statistics, exported to ONNX (opset 17, BatchNorm kept as its own node, in
inference form: fine-tuning keeps the stored statistics, as PyTorch's
model.eval()). On a fixed batch of 4 images (no augmentation) with labels and
class weights, the class-weighted cross-entropy (F.cross_entropy(weight=...),
mean over the batch weighted by the labels' class weights) is differentiated
and torch.optim.AdamW (decoupled weight decay, PyTorch 1.13's defaults but the
learning rate and decay below) takes 3 steps on the same batch. Writes the
batch, the loss and gradients before the first step, and every parameter
after step 1 and step 3.

Run with Debian's /usr/bin/python3 (torch 1.13, onnx). Writes
test/fixtures/train/finetune-cnn.onnx and test/fixtures/train/finetune-reference.json.
"""
import json
import os

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'train')
LR = 1e-2
WEIGHT_DECAY = 0.05
BETAS = (0.9, 0.999)
EPS = 1e-8
STEPS = 3


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4)
        self.bn2 = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.manual_seed(18)
    model = SmallCnn()
    with torch.no_grad():
        for bn in (model.bn1, model.bn2):
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.3, 0.3)
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 2.0)
    model.eval()
    images = torch.randn(4, 1, 12, 12)
    labels = torch.tensor([0, 2, 1, 2])
    class_weights = torch.tensor([1.5, 0.75, 1.0])

    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, 'finetune-cnn.onnx')
    torch.onnx.export(
        model,
        images[:1],
        onnx_path,
        opset_version=17,
        input_names=['image'],
        output_names=['logits'],
        dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}},
        do_constant_folding=False,
        training=torch.onnx.TrainingMode.PRESERVE,
    )
    ops = sorted({n.op_type for n in onnx.load(onnx_path).graph.node})
    assert 'BatchNormalization' in ops, ops

    names = [name for name, _ in model.named_parameters()]
    optimiser = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
    steps = []
    first = None
    for step in range(STEPS):
        optimiser.zero_grad()
        loss = F.cross_entropy(model(images), labels, weight=class_weights)
        loss.backward()
        if first is None:
            first = {'loss': float(loss), 'gradients': {n: flat(p.grad) for n, p in model.named_parameters()}}
        optimiser.step()
        steps.append({n: flat(p) for n, p in model.named_parameters()})

    reference = {
        'about': 'scripts/reference/finetune_reference.py: torch %s, AdamW on a fixed batch, BatchNorm in eval form' % torch.__version__,
        'ops': ops,
        'input': {'name': 'image', 'dims': list(images.shape), 'values': flat(images)},
        'labels': labels.tolist(),
        'classWeights': flat(class_weights),
        'adamw': {'learningRate': LR, 'beta1': BETAS[0], 'beta2': BETAS[1], 'epsilon': EPS, 'weightDecay': WEIGHT_DECAY},
        'parameters': names,
        'loss': first['loss'],
        'gradients': first['gradients'],
        'afterStep1': steps[0],
        'afterStep3': steps[STEPS - 1],
    }
    with open(os.path.join(OUT, 'finetune-reference.json'), 'w') as f:
        json.dump(reference, f)
        f.write('\n')
    print('ops', ops, 'loss', first['loss'])


if __name__ == '__main__':
    main()

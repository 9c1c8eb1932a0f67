#!/usr/bin/python3
"""Trains and publishes the 3D demo classifier (models/brain-mri-3d-demo) and its sample volumes.

Volumes: the Colin27 ch2 head (mricron-data) on a 2 mm grid, each with one
synthetic tumour drawn in 3D (glioma, meningioma, pituitary) or none, then a
seeded new pose, gain, bias field and noise (scripts/demo_model_3d). The model
reads them as ScanLens feeds a 3D model (model.json): RAS, resampled to 4 mm
(from 2 mm: every other voxel), z-score over the volume, zero-padded about the
centre to 48 x 56 x 48. Validation volumes use other seeds; the sample volumes
others again, stored in a non-RAS orientation (LPS) so ScanLens' reorientation
is part of the demo.

Run with Debian's /usr/bin/python3 (torch 1.13, onnx, nibabel, scipy); some
twenty minutes on two cores:
    /usr/bin/python3 scripts/train_3d_demo_model.py
Writes models/brain-mri-3d-demo/{model.onnx, model.json, MODEL_CARD.md,
reference.json} and samples/volumes/*.nii.gz. The inia19 macaque template is
never read.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import nibabel as nib
import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reference'))
from demo_model_3d.augment import augment  # noqa: E402
from demo_model_3d.head import Head  # noqa: E402
from demo_model_3d.lesions import ADD  # noqa: E402
from demo_model_3d.net import Tiny3DCNN  # noqa: E402
from volume_ops import crop_or_pad  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
LABELS = ['glioma', 'meningioma', 'notumor', 'pituitary']
SIZE = (48, 56, 48)  # D, H, W: R, A, S at 4 mm
SPACING = 4  # mm: every other voxel of the 2 mm head, exactly what ScanLens' linear resampling gives
SPLITS = {'train': 1, 'val': 2, 'sample': 3}
# Sample volumes shipped in samples/volumes (each some 600 kB: a noisy 2 mm head does not compress much).
SAMPLE_LABELS = ['glioma', 'meningioma']


def volume(head, label, split, index, seed):
    rng = np.random.default_rng([seed, SPLITS[split], index])
    vol = head.t1.copy()
    drawn = ADD[label](rng, vol, head) if label in ADD else {}
    return augment(rng, vol), drawn


def tensor(vol):
    """What ScanLens makes of a 2 mm RAS volume for model.json: 4 mm, z-score, centred pad."""
    step = SPACING // 2
    v = vol[::step, ::step, ::step].astype(np.float64)
    v = ((v - v.mean()) / (v.std() or 1.0)).astype(np.float32)
    return crop_or_pad(v, SIZE)


def dataset(head, split, per_class, seed):
    xs, ys = [], []
    for i in range(per_class * len(LABELS)):
        label = LABELS[i % len(LABELS)]
        vol, _ = volume(head, label, split, i, seed)
        xs.append(tensor(vol))
        ys.append(i % len(LABELS))
    return torch.from_numpy(np.stack(xs)[:, None]), torch.tensor(ys)


def recalibrate(net, x):
    """BatchNorm statistics of the final weights over the whole training set (not a running average of moving weights): what evaluation and the export use."""
    for m in net.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.reset_running_stats()
            m.momentum = None  # a cumulative average over the batches below
    net.train()
    with torch.no_grad():
        for i in range(0, len(x), 32):
            net(x[i : i + 32])
    for m in net.modules():
        if isinstance(m, nn.BatchNorm3d):
            m.momentum = 0.1


def evaluate(net, x, y):
    net.eval()
    with torch.no_grad():
        logits = torch.cat([net(x[i : i + 32]) for i in range(0, len(x), 32)])
    predicted = logits.argmax(1)
    confusion = np.zeros((len(LABELS), len(LABELS)), int)
    for t, p in zip(y.tolist(), predicted.tolist()):
        confusion[t, p] += 1
    return float((predicted == y).float().mean()), confusion, float(nn.functional.cross_entropy(logits, y))


def save_sample(vol, path):
    """The 2 mm volume stored LPS (first two axes reversed), its affine saying so; uint8 as ch2 is."""
    head_affine = HEAD.affine
    flip = np.diag([-1.0, -1.0, 1.0, 1.0])
    flip[0, 3] = vol.shape[0] - 1
    flip[1, 3] = vol.shape[1] - 1
    affine = head_affine @ flip
    data = np.clip(np.round(vol[::-1, ::-1, :]), 0, 255).astype(np.uint8)
    image = nib.Nifti1Image(data, affine)
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    nib.save(image, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train-per-class', type=int, default=200)
    parser.add_argument('--val-per-class', type=int, default=40)
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--out', default=os.path.join(ROOT, 'models', 'brain-mri-3d-demo'))
    parser.add_argument('--samples', default=os.path.join(ROOT, 'samples', 'volumes'))
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    started = time.time()
    x, y = dataset(HEAD, 'train', args.train_per_class, args.seed)
    vx, vy = dataset(HEAD, 'val', args.val_per_class, args.seed)
    print(f'{len(x)} training and {len(vx)} validation volumes made in {time.time() - started:.0f} s', flush=True)

    net = Tiny3DCNN(len(LABELS))
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(x) + 15) // 16)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps)
    generator = torch.Generator().manual_seed(args.seed)
    log = []
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for i in range(0, len(x), 16):
            batch = order[i : i + 16]
            inputs = x[batch]
            # Left-right flips: the tumours' sides are not what the classes differ by.
            flip = torch.rand(len(batch), generator=generator) < 0.5
            inputs = torch.where(flip[:, None, None, None, None], inputs.flip(2), inputs)
            loss = nn.functional.cross_entropy(net(inputs), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss) * len(batch)
        recalibrate(net, x)
        accuracy, _, val_loss = evaluate(net, vx, vy)
        log.append({'epoch': epoch + 1, 'train_loss': round(total / len(x), 4), 'val_loss': round(val_loss, 4), 'val_accuracy': round(accuracy, 4)})
        print(log[-1], f'{time.time() - started:.0f} s', flush=True)
    accuracy, confusion, val_loss = evaluate(net, vx, vy)

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.samples, exist_ok=True)
    net.eval()
    onnx_path = os.path.join(args.out, 'model.onnx')
    torch.onnx.export(net, torch.zeros(1, 1, *SIZE), onnx_path, opset_version=17, input_names=['volume'], output_names=['logits'], dynamic_axes={'volume': {0: 'batch'}, 'logits': {0: 'batch'}})
    sha = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()

    samples = {}
    for label in SAMPLE_LABELS:
        vol, drawn = volume(HEAD, label, 'sample', LABELS.index(label), args.seed)
        name = f'{label}-3d.nii.gz'
        path = os.path.join(args.samples, name)
        save_sample(vol, path)
        # PyTorch's logits on the file as stored (uint8, LPS), brought back to RAS by nibabel: what ScanLens must reproduce.
        stored = np.asarray(nib.as_closest_canonical(nib.load(path)).dataobj, dtype=np.float32)
        with torch.no_grad():
            logits = net(torch.from_numpy(tensor(stored))[None, None])[0]
        samples[name] = {'label': label, **drawn, 'logits': [round(float(v), 6) for v in logits]}

    manifest = {
        'schema': 'scanlens.model/1',
        'name': 'brain-mri-3d-demo',
        'version': '1.0.0',
        'task': 'classification',
        'file': 'model.onnx',
        'sha256': sha,
        'input': {'name': 'volume', 'layout': 'NCDHW', 'channels': 1, 'size': {'depth': SIZE[0], 'height': SIZE[1], 'width': SIZE[2]}, 'spacing': [SPACING, SPACING, SPACING], 'intensity': {'mode': 'zscore'}},
        'output': {'name': 'logits', 'type': 'logits'},
        'labels': LABELS,
    }
    with open(os.path.join(args.out, 'model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    with open(os.path.join(args.out, 'reference.json'), 'w') as f:
        json.dump({'about': 'PyTorch logits of samples/volumes/*.nii.gz, made by scripts/train_3d_demo_model.py', 'samples': samples}, f, indent=2)
        f.write('\n')
    params = sum(p.numel() for p in net.parameters())
    rows = '\n'.join(f"| {LABELS[i]} | {' | '.join(str(v) for v in confusion[i])} |" for i in range(len(LABELS)))
    card = f"""# brain-mri-3d-demo

A small 3D CNN ({params:,} parameters; four Conv3d-BatchNorm-ReLU stages, global
average pool, Linear) that tells four classes of synthetic tumour apart in a whole
T1 head volume. **A demo for ScanLens' 3D models: research only, not a medical
device, trained on synthetic data, never to be used on patients.**

## Data
One real head, the Colin27 "ch2" template of mricron-data, on a 2 mm grid, with
one tumour drawn in 3D per volume (`scripts/demo_model_3d/lesions.py`): a glioma
in white matter (necrotic core, enhancing rim, oedema), a meningioma against the
inner skull, a pituitary mass in the sella, or none; then a seeded new pose
(±8°, ±6 mm, ±7 % size), gain, bias field and noise. {len(x)} training volumes and
{len(vx)} validation volumes ({args.train_per_class} and {args.val_per_class} per class), from
different seeds; seed {args.seed}.

## Input
`model.json`: RAS, resampled to 4 mm, z-score over the volume, centred pad to
48 × 56 × 48 (R × A × S). The sample volumes in `samples/volumes/` are stored LPS
at 2 mm, so reorientation and resampling are part of every run.

## Training
AdamW (lr 3e-3 one-cycle, weight decay 1e-4), batch 16, {args.epochs} epochs,
random left-right flips, BatchNorm statistics recomputed over the training set
with the final weights; `/usr/bin/python3 scripts/train_3d_demo_model.py`.

## Validation ({len(vx)} volumes)
Accuracy {accuracy:.3f}, cross-entropy {val_loss:.3f}.

| true \\ predicted | {' | '.join(LABELS)} |
|---|{'---|' * len(LABELS)}
{rows}

## Limits
One head, synthetic tumours: it has learned what these generators draw, not
what tumours look like. It says nothing about real scans. Every training
volume carries a bias field and noise: a volume without them, such as the
clean ch2 template itself, lies outside what it saw (it calls ch2 glioma).
"""
    with open(os.path.join(args.out, 'MODEL_CARD.md'), 'w') as f:
        f.write(card)
    print(f'validation accuracy {accuracy:.3f}; {os.path.getsize(onnx_path)} bytes; {time.time() - started:.0f} s')


HEAD = Head()

if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Train the self-supervised brain feature extractor (models/brain-ssl-backbone), in one command.

    /usr/bin/python3 scripts/train_brain_ssl_backbone.py      # from the repository root

No pretrained weights can be downloaded here, and the demo classifier's features
know the demo's lesions rather than brain anatomy, so anomaly detectors get their
own backbone: a small CNN trained without any lesion or label, on augmented
slices of the Colin27 "ch2" T1 template (mricron-data) in all three orientations.
Two pretext tasks share the encoder:

- rotation prediction (0/90/180/270 degrees) from the globally pooled deepest map:
  the head the exported model keeps, so it is an ordinary 4-class model;
- CutPaste (Li et al., 2021): half of each batch has a rectangle of the slice
  copied, rescaled in intensity and pasted elsewhere in it; a training-only head
  on the max-pooled 16x16 map says which, so the maps must notice a local patch
  that does not belong. (A first version denoised instead, rebuilding slices
  with blanked squares: its maps learned to fill a lesion in with anatomy and
  scored worse than the demo classifier's on the held-out check.)

Slices are zoomed (whole head down to a quarter of it), rotated, warped and given
scanner-like shading, gamma and Rician noise (scripts/demo_model/augment.py), so
the features do not depend on one framing or contrast. Deterministic on CPU
(torch 1.13, seeded); writes models/brain-ssl-backbone/{model.onnx, model.json,
MODEL_CARD.md}. The inia19 macaque template is never read.
"""
import json
import math
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the repo free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy import ndimage  # noqa: E402
from torch import nn  # noqa: E402

from demo_model import augment, export  # noqa: E402
from demo_model.volume import ORIENTATIONS, Brain  # noqa: E402

SEED = 20261207
SLICES = 4000  # augmented slices rendered once; rotations and pastes are drawn per epoch
EPOCHS = 6
BATCH = 64
LR = 2e-3
SIZE = 128
ZOOM = (0.9, 4.0)  # output field of view = head extent / zoom
LABELS = ["rot0", "rot90", "rot180", "rot270"]
# The 32x32 and 16x16 maps: what anomaly fit's automatic layer choice takes (the map before the global
# pool and the last at twice its resolution), measured in docs/anomaly.md; the export must keep the names.
DETECTOR_LAYERS = ["/features/features.12/Relu_output_0", "/features/features.19/Relu_output_0"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "models", "brain-ssl-backbone")


def log(msg):
    print(msg, flush=True)


def conv_block(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class Encoder(nn.Module):
    """128 -> 64 -> 32 -> 16; the 32x32 and 16x16 maps are the detectors' layers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *conv_block(1, 16, stride=2),  # 64
            *conv_block(16, 24),
            nn.MaxPool2d(2),  # 32
            *conv_block(24, 32),
            *conv_block(32, 48),  # 32x32 mid-level map
            nn.MaxPool2d(2),  # 16
            *conv_block(48, 64),
            *conv_block(64, 96),  # 16x16 deepest map
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(96, len(LABELS))

    def forward(self, x):
        return self.classifier(self.flatten(self.pool(self.features(x))))


class AlteredHead(nn.Module):
    """Training only: was a patch of this slice pasted from elsewhere in it (CutPaste, Li et al. 2021)?"""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(96, 2))

    def forward(self, f):
        return self.net(f)


def render(rng, plane, display_max):
    """One zoomed, rotated, warped, shaded 8-bit view of a 1 mm plane."""
    rows, cols = np.nonzero(plane.head)
    extent = max(rows.max() - rows.min(), cols.max() - cols.min()) + 1
    zoom = math.exp(rng.uniform(math.log(ZOOM[0]), math.log(ZOOM[1])))
    fov = extent * 1.08 / zoom
    pixel = fov / SIZE
    # Centre anywhere in the brain when zoomed in, near the head's centre otherwise.
    br, bc = np.nonzero(plane.brain if plane.brain.any() else plane.head)
    k = rng.integers(br.size)
    t = min(1.0, (zoom - ZOOM[0]) / 1.5)
    head_centre = np.array([(rows.min() + rows.max()) / 2.0, (cols.min() + cols.max()) / 2.0])
    centre = (1 - t) * head_centre + t * np.array([br[k], bc[k]], dtype=np.float64)
    angle = math.radians(rng.uniform(-20.0, 20.0))
    v, u = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) - (SIZE - 1) / 2.0
    if rng.random() < 0.5:
        u = -u
    aspect = math.exp(rng.uniform(-0.25, 0.25))  # non-square voxels / stretched fields of view
    ca, sa = math.cos(angle), math.sin(angle)
    src_r = centre[0] + pixel * aspect * (ca * v - sa * u)
    src_c = centre[1] + pixel / aspect * (sa * v + ca * u)
    coarse = rng.normal(0.0, rng.uniform(0.0, 3.0), size=(2, 5, 5)).astype(np.float32)
    src_r += ndimage.zoom(coarse[0], SIZE / 5, order=3)
    src_c += ndimage.zoom(coarse[1], SIZE / 5, order=3)
    sigma = 0.5 * math.sqrt(max(pixel * pixel - 1.0, 0.0)) + rng.uniform(0.0, 1.0)
    source = ndimage.gaussian_filter(plane.t1, sigma)
    out = ndimage.map_coordinates(source, [src_r, src_c], order=1, mode="constant", cval=0.0)
    x = augment._intensity(rng, out / display_max)
    x = x / max(float(x.max()), 1e-6)  # ScanLens reads these with intensity "range"
    return augment._to_uint8(x)


def build_pool(brain, rng):
    planes = [(o, i) for o in ORIENTATIONS for i in brain.usable_slices(o)]
    images = np.empty((SLICES, SIZE, SIZE), np.uint8)
    for n in range(SLICES):
        o, i = planes[rng.integers(len(planes))]
        images[n] = render(rng, brain.plane(o, int(i)), brain.display_max)
        if (n + 1) % 1000 == 0:
            log(f"  rendered {n + 1}/{SLICES}")
    return images


def cut_paste(x, gen):
    """Half the batch: a rectangle (6-40 px, any aspect) copied from another place of the same slice, its
    intensity scaled by 0.8-1.25, pasted elsewhere. Returns the images and 1 where pasted."""
    out = x.clone()
    n = x.shape[0]
    pasted = (torch.rand(n, generator=gen) < 0.5).long()
    for b in range(n):
        if not pasted[b]:
            continue
        h, w = (int(v) for v in torch.randint(6, 41, (2,), generator=gen))
        r0, c0, r1, c1 = (int(v) for v in torch.randint(0, SIZE - 40, (4,), generator=gen))
        gain = 0.8 + 0.45 * float(torch.rand(1, generator=gen))
        out[b, :, r1 : r1 + h, c1 : c1 + w] = x[b, :, r0 : r0 + h, c0 : c0 + w] * gain
    return out, pasted


def train(images, mean, std):
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    encoder, altered = Encoder(), AlteredHead()
    params = list(encoder.parameters()) + list(altered.parameters())
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=1e-4)
    steps = EPOCHS * math.ceil(len(images) / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps)
    data = torch.from_numpy(images)
    for epoch in range(EPOCHS):
        start = time.time()
        order = torch.randperm(len(data), generator=gen)
        totals = np.zeros(3)
        for b in range(0, len(data), BATCH):
            idx = order[b : b + BATCH]
            x = (data[idx].to(torch.float32).unsqueeze(1) / 255.0 - mean) / std
            k = torch.randint(0, 4, (len(idx),), generator=gen)
            x = torch.stack([torch.rot90(x[j], int(k[j]), dims=(1, 2)) for j in range(len(idx))])
            # One pass serves both tasks (the encoder's cost dominates on 2 cores).
            x, pasted = cut_paste(x, gen)
            maps = encoder.features(x)
            rot_loss = nn.functional.cross_entropy(encoder.classifier(encoder.flatten(encoder.pool(maps))), k)
            rec_loss = nn.functional.cross_entropy(altered(maps), pasted)
            loss = rot_loss + rec_loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            totals += [rot_loss.item() * len(idx), rec_loss.item() * len(idx), len(idx)]
        log(f"epoch {epoch + 1}/{EPOCHS}: rotation {totals[0] / totals[2]:.4f}, cut-paste {totals[1] / totals[2]:.4f} ({time.time() - start:.0f} s)")
    return encoder, totals[0] / totals[2], totals[1] / totals[2]


def main():
    torch.set_num_threads(2)
    rng = np.random.default_rng(SEED)
    log("rendering ch2 slices")
    brain = Brain()
    images = build_pool(brain, rng)
    x = images.astype(np.float64) / 255.0
    mean, std = round(float(x.mean()), 4), round(float(x.std()), 4)
    encoder, rot_loss, rec_loss = train(images, mean, std)
    os.makedirs(OUT, exist_ok=True)
    onnx_path = os.path.join(OUT, "model.onnx")
    proto = export.export_onnx(encoder, onnx_path, LABELS)
    target = export.gradcam_target(proto)
    names = {n.output[0] for n in proto.graph.node}
    if not set(DETECTOR_LAYERS) <= names:
        raise RuntimeError(f"exported graph lacks {sorted(set(DETECTOR_LAYERS) - names)}")
    sha = export.sha256_file(onnx_path)
    params = sum(p.numel() for p in encoder.parameters())
    card = {
        "description": (
            "Small CNN feature extractor for anomaly detection on greyscale brain MRI slices, trained self-supervised "
            "(rotation prediction and CutPaste) on augmented slices of the Colin27 'ch2' T1 template; its 4 outputs are "
            "the rotation pretext task, not a diagnosis."
        ),
        "intendedUse": "Backbone of scanlens anomaly fit (the default). Not for clinical use.",
        "limitations": (
            "One brain (ch2, T1) seen under heavy augmentation; no lesions, no labels. Its features describe local "
            "anatomy; how well a detector on them separates lesions from normal tissue depends on the normal scans "
            "it is fitted on."
        ),
        "data": f"{SLICES} augmented 128x128 slices of ch2 (axial, coronal, sagittal; zoom {ZOOM[0]}-{ZOOM[1]}x, rotation, warp, bias field, gamma, Rician noise), seed {SEED}.",
        "metrics": {"rotationLoss": round(rot_loss, 4), "cutPasteLoss": round(rec_loss, 4), "parameters": params},
        "license": "MIT",
        "document": "MODEL_CARD.md",
    }
    manifest = {
        "schema": "scanlens.model/1",
        "name": "brain-ssl-backbone",
        "version": "1.0.0",
        "task": "classification",
        "file": "model.onnx",
        "sha256": sha,
        "input": {
            "name": "input",
            "layout": "NCHW",
            "channels": 1,
            "size": {"width": SIZE, "height": SIZE},
            "resize": "linear",
            "fit": "fill",
            "intensity": {"mode": "range"},
            "mean": [mean],
            "std": [std],
        },
        "output": {"name": "logits", "type": "logits"},
        "labels": LABELS,
        "explain": {"targetLayer": target},
        "card": card,
    }
    with open(os.path.join(OUT, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with open(os.path.join(OUT, "MODEL_CARD.md"), "w") as f:
        f.write(model_card(card, params, os.path.getsize(onnx_path)))
    log(f"wrote {OUT} ({os.path.getsize(onnx_path)} bytes, {params} parameters, sha256 {sha[:12]})")


def model_card(card, params, size):
    return f"""# brain-ssl-backbone

{card['description']}

- **Made by** `scripts/train_brain_ssl_backbone.py` (seed {SEED}, torch 1.13 CPU, 2 threads); rerun it to reproduce.
- **Architecture**: six 3x3 conv/BN/ReLU blocks (16, 24, 32, 48, 64, 96 channels; strides and max-pools to
  64, 32 and 16 px), global average pool, linear 96 -> 4. {params} parameters, {size // 1024} KiB ONNX (opset 17).
- **Pretext tasks**, on one pass of each slice: rotation prediction (the exported head) and CutPaste (a
  training-only head on the max-pooled 16x16 map tells slices with a pasted rectangle from intact ones).
- **Data**: {card['data']} No lesion, label or other subject was used.
- **Intended use**: {card['intendedUse']}
- **Limitations**: {card['limitations']}
- **Final training losses**: rotation {card['metrics']['rotationLoss']}, cut-paste {card['metrics']['cutPasteLoss']}.

How anomaly detectors on it were chosen and how they score on a brain neither it nor they saw:
docs/anomaly.md ("Measurements").
"""


if __name__ == "__main__":
    main()

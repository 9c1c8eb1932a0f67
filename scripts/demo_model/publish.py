"""Everything shipped next to the model: samples, reference fixture, manifest, model card."""
import csv
import json
import os

import numpy as np
import torch
from PIL import Image

from .net import normalise

SAMPLES_PER_CLASS = 3
ORIENTATION_ORDER = ("axial", "coronal", "sagittal")


# --- samples ---------------------------------------------------------------------


def pick_samples(labels, metas, probs, y_true):
    """3 correctly classified test images per class, one per orientation where possible.

    Not the easiest ones: within each (class, orientation) we take the image at
    the lower quartile of confidence in the true class.
    """
    picks = []
    for c, label in enumerate(labels):
        chosen = []
        for o in ORIENTATION_ORDER:
            idx = [
                i
                for i in range(len(y_true))
                if y_true[i] == c and metas[i]["orientation"] == o and probs[i].argmax() == c
            ]
            if idx:
                idx.sort(key=lambda i: (float(probs[i, c]), i))
                chosen.append(idx[len(idx) // 4])
        # Fall back to any correct image of the class if an orientation was missing.
        rest = [i for i in range(len(y_true)) if y_true[i] == c and probs[i].argmax() == c and i not in chosen]
        chosen += rest[: SAMPLES_PER_CLASS - len(chosen)]
        picks += [(f"{label}-{k + 1:02d}.png", label, i) for k, i in enumerate(chosen[:SAMPLES_PER_CLASS])]
    return picks


def write_samples(picks, images, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, _, i in picks:
        path = os.path.join(out_dir, name)
        Image.fromarray(images[i], mode="L").save(path, optimize=True)
        if not np.array_equal(np.asarray(Image.open(path)), images[i]):
            raise RuntimeError(f"{path} does not read back identically")
    with open(os.path.join(out_dir, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label"])
        for name, label, _ in picks:
            w.writerow([name, label])


# --- reference fixture -------------------------------------------------------------


def reference_fixture(model, picks, samples_dir, rel_dir, mean, std, model_info):
    """Logits/probabilities computed from the PNG bytes on disk, float32, eval mode."""
    model.eval()
    entries = []
    for name, label, _ in picks:
        pixels = np.asarray(Image.open(os.path.join(samples_dir, name)).convert("L"), dtype=np.uint8)
        x = normalise(torch.from_numpy(pixels.copy()).unsqueeze(0), mean, std)
        with torch.no_grad():
            logits = model(x)[0]
        probs = torch.softmax(logits, dim=0)
        entries.append(
            {
                "file": f"{rel_dir}/{name}",
                "label": label,
                "logits": [float(v) for v in logits.tolist()],
                "probabilities": [float(v) for v in probs.tolist()],
            }
        )
    return {
        "model": model_info,
        "preprocessing": {"mean": [mean], "std": [std]},
        "torch_version": torch.__version__,
        "samples": entries,
    }


# --- manifest and card -----------------------------------------------------------


def manifest(sha256, mean, std, labels, target_layer, accuracy, n_test, card_text):
    return {
        "schema": "scanlens.model/1",
        "name": "brain-mri-demo",
        "version": "1.0.0",
        "task": "classification",
        "file": "model.onnx",
        "sha256": sha256,
        "input": {
            "name": "input",
            "layout": "NCHW",
            "channels": 1,
            "size": {"width": 128, "height": 128},
            "resize": "linear",
            "fit": "fill",
            "intensity": {"mode": "range"},
            "mean": [mean],
            "std": [std],
        },
        "output": {"name": "logits", "type": "logits"},
        "labels": labels,
        "explain": {"targetLayer": target_layer},
        "card": {
            "description": card_text["description"],
            "intendedUse": (
                "Demonstration of ScanLens only. Not for clinical use: it has never seen a real tumour "
                "and must not inform any diagnosis or treatment."
            ),
            "limitations": card_text["limitations"],
            "data": card_text["data"],
            "metrics": {"heldOutAccuracy": accuracy, "heldOutSamples": n_test},
            "license": "MIT",
            "document": "MODEL_CARD.md",
        },
    }


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def runs(indices):
    """[3,4,5,9,10] -> [(3,5),(9,10)]"""
    out = []
    for i in sorted(int(v) for v in indices):
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return [tuple(r) for r in out]


def markdown_matrix(matrix, labels):
    head = "| true \\ predicted | " + " | ".join(labels) + " |"
    sep = "|---|" + "---:|" * len(labels)
    rows = [f"| **{lab}** | " + " | ".join(str(v) for v in matrix[i]) + " |" for i, lab in enumerate(labels)]
    return "\n".join([head, sep, *rows])

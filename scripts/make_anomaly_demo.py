#!/usr/bin/python3
"""Render the anomaly-detection demo data from the demo model's own data generator.

    /usr/bin/python3 scripts/make_anomaly_demo.py [--train N]   # from the repository root

Slices come from scripts/demo_model (Colin27 "ch2" T1 template, same rendering and
augmentation as the demo classifier), and splits are the classifier's slice-block
splits, so held-out slices are at least 4 mm from any training slice:

    .cache/anomaly-demo/train/normal-*.png   N normal slices (train split; not committed)
    samples/anomaly/normal/normal-*.png      20 held-out normal slices (test split)
    samples/anomaly/lesion/<label>-*.png     20 held-out slices with a synthetic lesion (test split)

The demo detector is then fitted by ScanLens itself (see models/brain-mri-demo-padim/README.md).
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the repo free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from demo_model import data  # noqa: E402
from demo_model.volume import Brain  # noqa: E402

SEED = 20251122  # differs from the classifier's seed: fresh draws, not its test images
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELD_OUT = 20
LESIONS = ("glioma", "meningioma", "pituitary")


def save(image, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(image, mode="L").save(path, optimize=True)
    if not np.array_equal(np.asarray(Image.open(path)), image):
        raise RuntimeError(f"{path} does not read back identically")


def render(brain, plan, split, label, k):
    rng = np.random.default_rng([SEED, data.SPLITS.index(split), data.LABELS.index(label), k])
    image, _ = data.make_sample(rng, brain, plan, split, label)
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=400, help="normal training slices to render")
    args = parser.parse_args()
    brain = Brain()
    plan = data.plan_split(brain)
    for k in range(args.train):
        save(render(brain, plan, "train", "notumor", k), os.path.join(ROOT, ".cache", "anomaly-demo", "train", f"normal-{k:04d}.png"))
    print(f"train: {args.train} normal slices", flush=True)
    for k in range(HELD_OUT):
        save(render(brain, plan, "test", "notumor", k), os.path.join(ROOT, "samples", "anomaly", "normal", f"normal-{k + 1:02d}.png"))
        label = LESIONS[k % len(LESIONS)]
        save(render(brain, plan, "test", label, k), os.path.join(ROOT, "samples", "anomaly", "lesion", f"{label}-{k + 1:02d}.png"))
    print(f"held out: {HELD_OUT} normal + {HELD_OUT} lesion slices", flush=True)


if __name__ == "__main__":
    main()

"""Held-out split by slice position, and the labelled image sets drawn from it."""
import numpy as np

from . import lesions
from .augment import SIZE, render
from .volume import ORIENTATIONS, Brain

LABELS = ["glioma", "meningioma", "notumor", "pituitary"]
SPLITS = ("train", "val", "test")

# Slices are grouped in blocks of BLOCK consecutive indices, separated by GAP
# unused indices, and blocks take turns in CYCLE. A test slice is therefore at
# least GAP + 1 mm from any training or validation slice.
BLOCK, GAP = 4, 3
CYCLE = ("train", "test", "train", "val", "train")
PERIOD = BLOCK + GAP

# Share of non-pituitary samples drawn from the sellar slices, so "low slice
# near the skull base" is not by itself a cue for the pituitary class.
SELLAR_SHARE = 0.25


def slice_role(index, phase):
    pos = (index + phase) % PERIOD
    if pos >= BLOCK:
        return None
    return CYCLE[((index + phase) // PERIOD) % len(CYCLE)]


def pituitary_visibility(brain: Brain, o, n_draws=400, seed=12345):
    """P(a random sellar mass shows on slice i), per slice index; Monte Carlo, fixed seed."""
    rng = np.random.default_rng(seed)
    draws = [lesions.sample_pituitary(rng) for _ in range(n_draws)]
    vis = np.zeros(brain.shape[o.normal])
    for i in range(len(vis)):
        vis[i] = np.mean([lesions.pituitary_section(brain, o, i, c, r) is not None for c, r in draws])
    return vis


def plan_split(brain: Brain):
    """Per orientation: slice indices for each split, and which of them can show a pituitary mass.

    The block phase is chosen per orientation so that every split gets some of
    the few slices that pass through the sella (otherwise the pituitary class
    could not be trained or tested in that orientation).
    """
    plan = {}
    for o in ORIENTATIONS:
        usable = brain.usable_slices(o)
        vis = pituitary_visibility(brain, o)
        best = None
        for phase in range(PERIOD * len(CYCLE)):
            roles = {s: [i for i in usable if slice_role(i, phase) == s] for s in SPLITS}
            mass = {s: vis[roles[s]].sum() for s in SPLITS}
            score = min(mass["train"] / 3.0, mass["val"], mass["test"])  # train has three blocks per cycle
            if best is None or score > best[0]:
                best = (score, phase, roles)
        _, phase, roles = best
        plan[o.name] = {
            "phase": phase,
            "slices": {s: np.array(roles[s]) for s in SPLITS},
            "sellar": {s: np.array([i for i in roles[s] if vis[i] > 0.05]) for s in SPLITS},
            "visibility": vis,
        }
    return plan


def make_sample(rng, brain: Brain, plan, split, label):
    """One rendered image of class `label` from `split`'s slices; retries until the lesion fits."""
    while True:
        o = ORIENTATIONS[rng.integers(len(ORIENTATIONS))]
        slices = plan[o.name]["slices"][split]
        sellar = plan[o.name]["sellar"][split]
        if label == "pituitary" or (sellar.size and rng.random() < SELLAR_SHARE):
            if sellar.size == 0:
                continue
            index = int(sellar[rng.integers(sellar.size)])
        else:
            index = int(slices[rng.integers(slices.size)])
        plane = brain.plane(o, index)
        img = plane.t1.copy()
        info = _draw_lesion(rng, brain, o, index, plane, img, label)
        if info is None:
            continue
        image = render(rng, img, plane.head, brain.display_max)
        meta = {"orientation": o.name, "slice": index, "world_mm": brain.slice_to_world(o, index), **info}
        return image, meta


def _draw_lesion(rng, brain, o, index, plane, img, label):
    if label == "notumor":
        return {}
    if label == "glioma":
        return lesions.add_glioma(rng, img, plane)
    if label == "meningioma":
        return lesions.add_meningioma(rng, img, plane, brain, o, index)
    for _ in range(50):  # pituitary: a mass that this slice actually cuts through
        section = lesions.pituitary_section(brain, o, index, *lesions.sample_pituitary(rng))
        if section is not None:
            return lesions.add_pituitary(rng, img, plane, section)
    return None


def make_set(brain: Brain, plan, split, per_class, seed, log=print):
    """`per_class` images of every label; sample k of class c has its own seeded generator."""
    n = per_class * len(LABELS)
    images = np.zeros((n, SIZE, SIZE), dtype=np.uint8)
    labels = np.zeros(n, dtype=np.int64)
    metas = []
    split_id = SPLITS.index(split)
    for c, label in enumerate(LABELS):
        for k in range(per_class):
            rng = np.random.default_rng([seed, split_id, c, k])
            i = c * per_class + k
            images[i], meta = make_sample(rng, brain, plan, split, label)
            labels[i] = c
            metas.append({"label": label, **meta})
        log(f"  {split}: {label} x{per_class} done")
    return images, labels, metas

#!/usr/bin/python3
"""Train, export and document the ScanLens demo model (brain-mri-demo), in one command.

    /usr/bin/python3 scripts/train_demo_model.py      # from the repository root

Reads the Colin27 "ch2" T1 template from /usr/share/mricron/templates, paints
synthetic glioma / meningioma / pituitary lesions into 2D slices, trains a small
CNN deterministically on 2 CPU cores, and writes:

    models/brain-mri-demo/model.onnx, model.json, MODEL_CARD.md
    samples/*.png, samples/labels.csv          (held-out test images)
    test/fixtures/demo-reference.json          (PyTorch logits for the samples)
"""
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the repo free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from demo_model import card, data, export, publish  # noqa: E402
from demo_model.net import count_parameters  # noqa: E402
from demo_model.train import confusion, make_deterministic, predict, train  # noqa: E402
from demo_model.volume import Brain  # noqa: E402

SEED = 20240611
PER_CLASS = {"train": 2000, "val": 300, "test": 400}
MAX_EPOCHS, PATIENCE = 14, 4

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_DIR = os.path.join(ROOT, "models", "brain-mri-demo")
SAMPLES_DIR = os.path.join(ROOT, "samples")
FIXTURE = os.path.join(ROOT, "test", "fixtures", "demo-reference.json")


def log(msg):
    print(msg, flush=True)


def build_data(brain, plan):
    sets = {}
    for split, n in PER_CLASS.items():
        images, labels, metas = data.make_set(brain, plan, split, n, SEED, log=log)
        sets[split] = (torch.from_numpy(images), torch.from_numpy(labels), metas)
    return sets


def dataset_stats(images):
    """Mean/std of p/255 over the training images, rounded: these exact values go in the manifest."""
    x = images.to(torch.float64) / 255.0
    return round(float(x.mean()), 4), round(float(x.std()), 4)


def evaluate(model, images, labels, mean, std):
    logits = predict(model, images, mean, std)
    probs = torch.softmax(logits, dim=1).numpy()
    pred = logits.argmax(1)
    matrix = confusion(pred, labels, len(data.LABELS))
    correct = int(np.trace(matrix))
    recall = matrix.diagonal() / np.maximum(matrix.sum(1), 1)
    precision = matrix.diagonal() / np.maximum(matrix.sum(0), 1)
    return {"probs": probs, "confusion": matrix, "n_correct": correct, "accuracy": correct / len(labels),
            "recall": recall, "precision": precision}


def main():
    t_start = time.time()
    make_deterministic(SEED)
    os.makedirs(MODEL_DIR, exist_ok=True)
    onnx_path = os.path.join(MODEL_DIR, "model.onnx")
    previous_sha = export.sha256_file(onnx_path) if os.path.exists(onnx_path) else None

    log("loading ch2 and planning the slice split")
    brain = Brain()
    plan = data.plan_split(brain)
    for name, p in plan.items():
        log(f"  {name}: " + ", ".join(f"{s} {len(p['slices'][s])} slices" for s in data.SPLITS))

    log("rendering images")
    sets = build_data(brain, plan)
    t_data = time.time() - t_start
    x_train, y_train, _ = sets["train"]
    mean, std = dataset_stats(x_train)
    log(f"  {t_data:.0f}s; training mean {mean}, std {std}")

    log("training")
    t0 = time.time()
    model, info = train((x_train, y_train), sets["val"][:2], mean, std, SEED,
                        epochs=MAX_EPOCHS, patience=PATIENCE, log=log)
    t_train = time.time() - t0

    x_test, y_test, test_metas = sets["test"]
    result = evaluate(model, x_test, y_test, mean, std)
    log(f"held-out test accuracy {result['accuracy']:.4f} ({result['n_correct']}/{len(y_test)})")
    log("confusion (rows true, cols predicted; " + ", ".join(data.LABELS) + "):\n" + str(result["confusion"]))

    log("exporting ONNX")
    proto = export.export_onnx(model, onnx_path, data.LABELS)
    sha = export.sha256_file(onnx_path)
    target = export.gradcam_target(proto)
    same = previous_sha == sha
    log(f"  {os.path.getsize(onnx_path)} bytes, sha256 {sha}, Grad-CAM target {target}")
    if previous_sha:
        log(f"  identical to the previous model.onnx: {'yes' if same else 'NO'}")

    log("writing samples, fixture, manifest and model card")
    picks = publish.pick_samples(data.LABELS, test_metas, result["probs"], y_test.numpy())
    publish.write_samples(picks, x_test.numpy(), SAMPLES_DIR)
    fixture = publish.reference_fixture(model, picks, SAMPLES_DIR, "samples", mean, std,
                                        {"name": "brain-mri-demo", "sha256": sha})
    publish.write_json(FIXTURE, fixture)

    with torch.no_grad():
        target_shape = "x".join(str(v) for v in model.features(torch.zeros(1, 1, 128, 128)).shape[1:])
    ctx = {
        "brain": brain, "plan": plan, "labels": data.LABELS, "seed": SEED, "mean": mean, "std": std,
        "sha256": sha, "onnx_bytes": os.path.getsize(onnx_path), "target_layer": target,
        "target_shape": target_shape, "ops": export.op_summary(proto), "n_params": count_parameters(model),
        "n_train": len(y_train), "n_val": len(sets["val"][1]), "n_test": len(y_test),
        "n_samples": len(picks), "max_epochs": MAX_EPOCHS, "patience": PATIENCE,
        "torch_version": torch.__version__, "onnx_version": onnx.__version__,
        "t_data": t_data, "t_train": t_train, **info, **result,
        "determinism_note": (
            "Re-running the script reproduced the previous `model.onnx` byte for byte (same sha256)."
            if same else "Deterministic by construction; re-run and compare the sha256 to check."
        ),
    }
    ctx["minutes"] = (time.time() - t_start) / 60.0
    text = {"description": card.DESCRIPTION, "limitations": card.LIMITATIONS, "data": card.DATA}
    publish.write_json(os.path.join(MODEL_DIR, "model.json"),
                       publish.manifest(sha, mean, std, data.LABELS, target, round(result["accuracy"], 4),
                                        len(y_test), text))
    with open(os.path.join(MODEL_DIR, "MODEL_CARD.md"), "w") as f:
        f.write(card.model_card(ctx))
    log(f"done in {ctx['minutes']:.1f} min")


if __name__ == "__main__":
    main()

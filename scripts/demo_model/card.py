"""MODEL_CARD.md and the short card strings in the manifest, filled from the actual run."""
from . import augment as A
from .data import BLOCK, CYCLE, GAP, SELLAR_SHARE, SPLITS
from .lesions import MENINGIOMA_MIN_DIST_TO_SELLA
from .publish import markdown_matrix, runs

AXIS_LETTER = {"axial": "z", "coronal": "y", "sagittal": "x"}

DESCRIPTION = (
    "Small CNN that sorts a single 128x128 greyscale brain MRI slice into glioma, meningioma, "
    "notumor or pituitary. Trained only on synthetic lesions painted into one healthy T1 brain "
    "template (Colin27 'ch2'); it exists to demonstrate ScanLens end to end."
)
LIMITATIONS = (
    "One brain (Colin27 ch2, a 27-scan average T1 template) and hand-made synthetic lesions: no real "
    "pathology, no other subjects, scanners, sequences (T2/FLAIR) or artefacts. Held-out accuracy is "
    "measured on unseen slices of the same brain with freshly drawn synthetic lesions, so it says nothing "
    "about real scans. Predictions on real images are meaningless."
)
DATA = (
    "2D axial, coronal and sagittal slices of the MNI Colin27 'ch2' T1 template (mricron package), "
    "resampled to 128x128 8-bit greyscale, with synthetic glioma, meningioma and pituitary lesions "
    "drawn in on the fly and heavy geometric/intensity augmentation; slice-block split into "
    "train/validation/test with gaps."
)


def split_table(brain, plan):
    lines = ["| orientation | slice axis | usable slices | train | val | test | test blocks (mm) | sellar slices train / val / test (mm) |",
             "|---|---|---|---:|---:|---:|---|---|"]
    for name, p in plan.items():
        axis = AXIS_LETTER[name]
        offset = {"x": -90, "y": -125, "z": -71}[axis]
        all_idx = sorted(int(i) for s in SPLITS for i in p["slices"][s])
        usable = f"{axis} = {all_idx[0] + offset}..{all_idx[-1] + offset}"
        fmt = lambda idx: ", ".join(f"{a + offset}..{b + offset}" for a, b in runs(idx)) or "none"
        counts = [str(len(p["slices"][s])) for s in SPLITS]
        sellar = " / ".join(fmt(p["sellar"][s]) for s in SPLITS)
        lines.append(f"| {name} | {axis} | {usable} | " + " | ".join(counts) + f" | {fmt(p['slices']['test'])} | {sellar} |")
    return "\n".join(lines)


def model_card(ctx):
    """ctx: dict with the run's numbers (see train_demo_model.py)."""
    c = ctx
    labels = c["labels"]
    per_class = "\n".join(
        f"| {lab} | {c['recall'][i]:.3f} | {c['precision'][i]:.3f} |" for i, lab in enumerate(labels)
    )
    history = "\n".join(
        f"| {h['epoch']} | {h['train_loss']:.4f} | {h['val_loss']:.4f} | {h['val_acc']:.4f} |" for h in c["history"]
    )
    return f"""# brain-mri-demo — model card

> **Demonstration model. Not for clinical use.** It has never seen a real tumour. It was trained on
> synthetic lesions painted into a single healthy brain, purely so that ScanLens has something real to
> run, explain and test end to end.

| | |
|---|---|
| Task | 4-class classification of one 2D brain MRI slice |
| Labels (class index order) | {", ".join(f"`{l}`" for l in labels)} |
| Input | `input`, float32, NCHW 1x1x128x128 (dynamic batch) |
| Output | `logits`, float32, Nx4 (apply softmax for probabilities) |
| File | `model.onnx`, {c['onnx_bytes']:,} bytes, opset 17, sha256 `{c['sha256']}` |
| Grad-CAM layer | `{c['target_layer']}` (last ReLU, {c['target_shape']}, feeds GlobalAveragePool) |
| Held-out accuracy | **{c['accuracy']:.4f}** on {c['n_test']} test images |
| Licence | MIT (the model and code; ch2 itself comes from the mricron package) |

## Preprocessing contract

The engine must feed exactly what training saw:

1. a 128x128 single-channel 8-bit image, pixel value `p` in 0..255 (the samples are already 128x128, no resize);
2. `x = p / 255`;
3. `x = (x - {c['mean']}) / {c['std']}` (mean and std of `p / 255` over the training images, rounded to 4 decimals).

Training images were rendered as 8-bit grey (quantised to `uint8`) before this step, so training and
inference see the same kind of input.

## Data

**Source.** One brain: the Colin27 T1 template `ch2.nii.gz` (MNI space, 1 mm, 181x217x181) shipped with
mricron (`/usr/share/mricron/templates`). `ch2bet.nii.gz` (brain-extracted) marks brain tissue and the AAL
atlas `aal.nii.gz` (same grid) is used only to keep gliomas out of the cerebellum. None of these files
are copied into the repository; the script reads them from the system.

**Slices.** Axial, coronal and sagittal planes (public brain-tumour MRI collections mix orientations), shown
radiologically (patient right on image left, anterior/superior up, sagittal face left; random left-right
flips make both conventions occur). Only slices with at least 40% of the largest brain cross-section of
their orientation are used, which skips the nearly empty ends.

**Lesions** (drawn in the 1 mm plane before resampling; every parameter random per image):

- **glioma** — intra-axial: seeded in supratentorial white matter (T1 > 100 inside the brain, away from
  cerebellum, brainstem and the brain surface). Lobulated outline (random angular harmonics), radius
  7–18 mm. 75% ring-enhancing: dark necrotic core (25–60) inside an irregular bright rim (125–175,
  1.5–4 mm thick); 25% a solid heterogeneous hypointense mass (30–60) with patchy enhancement. Always a
  diffuse hypointense oedema halo (1.3–2.1x the tumour radius, 20–40% darker) that follows white
  matter, and mass effect (tissue pushed outward by 20–40% of the radius).
- **meningioma** — extra-axial: centred on the brain surface where it faces the skull (convexity), or
  (25% when the slice allows) on the falx high in the interhemispheric fissure; never within
  {MENINGIOMA_MIN_DIST_TO_SELLA:.0f} mm of the sella. Round to slightly oval (flattened against the dura), sharp edge, homogeneous and
  bright (130–175), radius 7–20 mm, clipped to the intracranial space; the brain is pushed inward (30–50%
  of the radius) while skull and scalp stay put. 60% with a thin dark CSF cleft, 50% with a tapering dural
  tail.
- **pituitary** — a 3D ellipsoid in the sella turcica (centre x = 0 ± 1, y = +1..+5 mm, growing up from
  the fossa floor at z = −33 mm, read off ch2; semi-axes 5–11 x 4–9 x 5–12 mm), bright (125–175), with a
  slight upward mass effect. A slice shows it only where it actually cuts the ellipsoid (in-plane
  radius ≥ 4 mm), so pituitary images come only from the few slices through the sella.
- **notumor** — the slice as it is.

To keep "a slice near the skull base" from being a cue for *pituitary* by itself, {int(SELLAR_SHARE * 100)}% of the
other classes' images are drawn from the same sellar slices.

**Augmentation** (per image, after the lesion): field of view {A.FOV_MARGIN}x the head's extent with random
scale {A.SCALE[0]}–{A.SCALE[1]}, rotation ±{A.ROTATION_DEG:.0f}°, translation ±{A.SHIFT_FRACTION * 100:.0f}% of the field of view,
left-right flip (50%), smooth elastic deformation (random 5x5 displacement grid, std up to {A.ELASTIC_MM:.0f} mm,
cubic upsampling), anti-aliased linear resampling to 128x128; window/level jitter, smooth multiplicative
bias field (log-amplitude up to {A.BIAS_LOG_AMPLITUDE}), gamma {A.GAMMA[0]}–{A.GAMMA[1]}, blur ({A.BLUR_P * 100:.0f}% of images,
σ {A.BLUR_SIGMA[0]}–{A.BLUR_SIGMA[1]} px), Rician noise σ {A.NOISE_SIGMA[0] * 100:.1f}–{A.NOISE_SIGMA[1] * 100:.1f}% of full scale; quantised to 8 bits.
During training, batches also get a random whole-pixel shift of up to ±6 px (keeps the 8-bit values).

**Images.** {c['n_train']} training, {c['n_val']} validation and {c['n_test']} test images, balanced across the four classes;
each image has its own generator seeded by (seed, split, class, index).

## Held-out split

Slice indices of each orientation are cut into blocks of {BLOCK} consecutive slices separated by gaps of {GAP}
unused slices; blocks take turns as {" / ".join(CYCLE)}. Every test slice is therefore at least {GAP + 1} mm
from any slice used for training or model selection, and the validation set (early stopping, best-epoch
selection) is disjoint from both. The phase of the pattern is chosen per orientation so that each split
gets some of the few slices through the sella. Test images were used only for the final numbers below
and to choose the `samples/`.

{split_table(c['brain'], c['plan'])}

(World coordinates are MNI mm along the slice axis: x for sagittal, y for coronal, z for axial.)

## Method

- **Network**: plain CNN, {c['n_params']:,} parameters. Conv3x3(1→16, stride 2)–BN–ReLU, Conv(16→32)–BN–ReLU,
  MaxPool; Conv(32→48), Conv(48→48), MaxPool; Conv(48→96), Conv(96→128) (each with BN and ReLU);
  GlobalAveragePool; Linear(128→4). BatchNorm is folded into the convolutions at export, so the graph
  contains only {", ".join(f"{k} x{v}" for k, v in c['ops'].items())}.
- **Training**: Adam (lr 3e-3, weight decay 1e-4), cosine schedule over {c['max_epochs']} epochs, batch 64,
  cross-entropy with label smoothing 0.05; early stopping on validation accuracy (patience
  {c['patience']}); the best validation epoch ({c['best_epoch']}, validation accuracy {c['val_acc']:.4f}) is kept.
- **Determinism**: seed {c['seed']} for Python, NumPy and PyTorch; `torch.use_deterministic_algorithms(True)`;
  `torch.set_num_threads(2)`; no DataLoader workers. {c['determinism_note']}
- **Export**: `torch.onnx.export`, opset 17, input `input`, output `logits`, dynamic batch axis, eval mode,
  constant folding; ONNX metadata `labels` = `{",".join(labels)}`; checked with `onnx.checker.check_model`.

| epoch | train loss | val loss | val acc |
|---:|---:|---:|---:|
{history}

## Results on the held-out test set

Accuracy **{c['accuracy']:.4f}** ({c['n_correct']} / {c['n_test']}).

Confusion matrix (rows: true class, columns: predicted):

{markdown_matrix(c['confusion'], labels)}

| class | recall | precision |
|---|---:|---:|
{per_class}

These are numbers on synthetic lesions in unseen slices of the *same* brain. They do not estimate
performance on real MRI of any kind.

## Samples

`samples/` holds {c['n_samples']} test images (3 per class, one per orientation where possible), chosen among
correctly classified test images at the lower quartile of confidence for their class and orientation,
so they are typical rather than the easiest. `samples/labels.csv` lists them;
`test/fixtures/demo-reference.json` holds PyTorch (float32, eval) logits and probabilities computed from
the PNG files as stored, for checking the ONNX Runtime path.

## Intended use

Demonstration and testing of ScanLens (classification, probabilities, Grad-CAM explanations) only.
**Not for clinical use**, not a medical device, not for research conclusions about tumours.

## Limitations

- One brain: Colin27 is an average of 27 scans of a single healthy adult; no anatomical variety, age,
  atrophy, or post-operative changes.
- Synthetic lesions: simple geometric shapes with textbook intensity patterns on T1-like contrast. Real
  gliomas, meningiomas and pituitary adenomas vary far more, and many real cases look nothing like these.
- One contrast: T1 only (lesions mimic contrast-enhanced T1); no T2, FLAIR, DWI.
- The pituitary class is tied to the sellar region and meningiomas are kept away from it, so a bright
  mass elsewhere at the skull base is out of distribution.
- Inputs must follow the preprocessing contract above; other intensity scalings shift the predictions.

## Reproduce

```sh
/usr/bin/python3 scripts/train_demo_model.py
```

Run from the repository root with Debian's Python (torch {c['torch_version']}, onnx {c['onnx_version']},
nibabel, scipy, numpy, Pillow) and mricron's templates in `/usr/share/mricron/templates`. Seed {c['seed']}.
This run took {c['minutes']:.1f} minutes of wall time on 2 CPU cores (data {c['t_data']:.0f} s, training
{c['t_train']:.0f} s). It rewrites `models/brain-mri-demo/`, `samples/` and `test/fixtures/demo-reference.json`.
"""

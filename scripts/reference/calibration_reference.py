#!/usr/bin/python3
"""numpy/scipy reference for ScanLens' temperature scaling and calibration metrics.

Seeded, over-confident logits of 4 classes (seed 3, 400 rows): the temperature
minimising the mean NLL of softmax(logits / T) (scipy's bounded Brent search on
log T), and before and after it: ECE and MCE over 15 equal-width bins of the
top probability (Guo et al. 2017; a top probability of exactly 1 in the last
bin), the multi-class Brier score (mean over rows of sum_c (p_c - y_c)^2) and
the mean NLL.

Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy). Writes
test/fixtures/train/calibration-reference.json.
"""
import json
import os

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'train', 'calibration-reference.json')
BINS = 15


def metrics(probabilities, truth):
    top = probabilities.argmax(1)
    confidence = probabilities.max(1)
    bins = np.minimum((confidence * BINS).astype(int), BINS - 1)
    ece, mce = 0.0, 0.0
    for b in range(BINS):
        rows = bins == b
        if rows.any():
            gap = abs((top[rows] == truth[rows]).mean() - confidence[rows].mean())
            ece += rows.mean() * gap
            mce = max(mce, gap)
    onehot = np.eye(probabilities.shape[1])[truth]
    return {
        'ece': float(ece),
        'mce': float(mce),
        'brier': float(((probabilities - onehot) ** 2).sum(1).mean()),
        'nll': float(-np.log(probabilities[np.arange(len(truth)), truth]).mean()),
    }


def main():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 4, size=400)
    logits = rng.normal(size=(400, 4)) * 2.0
    logits[np.arange(400), truth] += 2.5
    # Over-confident: every logit scaled up, so a temperature above 1 calibrates.
    logits *= 2.2
    nll = lambda log_t: -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(400), truth].mean()
    best = minimize_scalar(nll, bounds=(np.log(0.01), np.log(100)), method='bounded', options={'xatol': 1e-12})
    temperature = float(np.exp(best.x))
    json.dump({
        'logits': logits.ravel().tolist(),
        'truth': truth.tolist(),
        'classes': 4,
        'temperature': temperature,
        'before': metrics(softmax(logits, axis=1), truth),
        'after': metrics(softmax(logits / temperature, axis=1), truth),
    }, open(OUT, 'w'))


if __name__ == '__main__':
    main()

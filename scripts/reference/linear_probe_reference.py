#!/usr/bin/python3
"""scikit-learn's linear probe on seeded synthetic features: the reference for ScanLens' fitSoftmax.

Draws three overlapping, unbalanced Gaussian classes in 24 dimensions (seed 7),
fits StandardScaler + LogisticRegression(C, class_weight='balanced', lbfgs,
multinomial) at three strengths, and writes the features (float32, base64),
labels, and for each C: the head folded back onto raw features (coef / scale,
intercept - coef . mean / scale), the validation accuracy and the validation
negative log-likelihood (mean over rows, unweighted).

Run with Debian's /usr/bin/python3 (python3-sklearn). Writes
test/fixtures/train/linear-probe-reference.json.
"""
import base64
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'train', 'linear-probe-reference.json')
DIMENSIONS = 24
CLASSES = 3


def draw(rng, counts, centres):
    xs, ys = [], []
    for c, n in enumerate(counts):
        xs.append(rng.normal(size=(n, DIMENSIONS)) * (1 + 0.5 * c) + centres[c] + 3.0)
        ys.append(np.full(n, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int32)


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode('ascii')


def main():
    rng = np.random.default_rng(7)
    centres = rng.normal(scale=0.6, size=(CLASSES, DIMENSIONS))
    train_x, train_y = draw(rng, [150, 90, 60], centres)
    val_x, val_y = draw(rng, [60, 50, 40], centres)
    scaler = StandardScaler().fit(train_x.astype(np.float64))
    fits = []
    for c in [0.01, 0.3, 10.0]:
        model = LogisticRegression(C=c, class_weight='balanced', solver='lbfgs', max_iter=10000, tol=1e-12)
        model.fit(scaler.transform(train_x.astype(np.float64)), train_y)
        weights = model.coef_ / scaler.scale_
        bias = model.intercept_ - weights @ scaler.mean_
        probabilities = model.predict_proba(scaler.transform(val_x.astype(np.float64)))
        fits.append({
            'C': c,
            'weights': weights.ravel().tolist(),
            'bias': bias.tolist(),
            'valAccuracy': float((probabilities.argmax(1) == val_y).mean()),
            'valNll': float(log_loss(val_y, probabilities, labels=list(range(CLASSES)))),
        })
    json.dump({
        'sklearn': sklearn.__version__,
        'dimensions': DIMENSIONS,
        'classes': CLASSES,
        'train': {'features': b64(train_x), 'labels': train_y.tolist()},
        'val': {'features': b64(val_x), 'labels': val_y.tolist()},
        'fits': fits,
    }, open(OUT, 'w'), indent=1)


if __name__ == '__main__':
    main()

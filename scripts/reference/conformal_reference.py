#!/usr/bin/python3
"""numpy reference for ScanLens' conformal prediction sets (APS, not randomised).

Romano, Sesia & Candes 2020: a calibration scan's score is the total
probability of its true class and every class ranked above it (classes by
descending probability, ties by index); the threshold for miscoverage alpha is
the ceil((n + 1)(1 - alpha))-th smallest score (1 when that rank exceeds n); a
scan's set is its classes from the most probable down, until the mass before
the next class reaches the threshold.

Seeded probabilities of 4 classes (seed 5): softmax of Gaussian logits with
per-row scales, labels drawn from the probabilities themselves (so they are
calibrated), 300 calibration rows and 700 test rows. Writes, for alpha 0.05,
0.1 and 0.2, the threshold, every test row's set, the test coverage and the
mean set size.

Run with Debian's /usr/bin/python3 (python3-numpy). Writes
test/fixtures/train/conformal-reference.json.
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'train', 'conformal-reference.json')


def ranked(p):
    return sorted(range(len(p)), key=lambda c: (-p[c], c))


def score(p, y):
    mass = 0.0
    for c in ranked(p):
        mass += p[c]
        if c == y:
            return mass
    raise ValueError(y)


def threshold(scores, alpha):
    n = len(scores)
    rank = math.ceil((n + 1) * (1 - alpha))
    if rank > n:
        return 1.0
    return float(np.sort(scores)[max(rank, 1) - 1])


def aps_set(p, tau):
    out, mass = [], 0.0
    for c in ranked(p):
        if mass >= tau and out:
            break
        out.append(c)
        mass += p[c]
    return out


def main():
    rng = np.random.default_rng(5)
    n_cal, n_test, k = 300, 700, 4
    logits = rng.normal(size=(n_cal + n_test, k)) * rng.uniform(1.0, 5.0, size=(n_cal + n_test, 1))
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    # Rounded so the fixture stays small; both sides read these very numbers.
    p = np.round(p, 6)
    y = np.array([rng.choice(k, p=row / row.sum()) for row in p])
    cal, test = slice(0, n_cal), slice(n_cal, None)
    scores = [score(list(row), int(t)) for row, t in zip(p[cal], y[cal])]
    results = []
    for alpha in (0.05, 0.1, 0.2):
        tau = threshold(scores, alpha)
        sets = [aps_set(list(row), tau) for row in p[test]]
        coverage = float(np.mean([int(t) in s for s, t in zip(sets, y[test])]))
        results.append({'alpha': alpha, 'threshold': tau, 'sets': sets, 'coverage': coverage, 'mean_size': float(np.mean([len(s) for s in sets]))})
    with open(OUT, 'w') as f:
        json.dump({'calibration': {'probabilities': p[cal].tolist(), 'truth': y[cal].tolist()},
                   'test': {'probabilities': p[test].tolist(), 'truth': y[test].tolist()},
                   'scores': scores, 'results': results}, f)
        f.write('\n')
    print(OUT, [(r['alpha'], round(r['threshold'], 4), r['coverage'], r['mean_size']) for r in results])


if __name__ == '__main__':
    main()

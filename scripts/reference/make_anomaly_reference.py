#!/usr/bin/python3
"""Reference values for ScanLens' anomaly detectors and metrics, computed with numpy.

    /usr/bin/python3 scripts/reference/make_anomaly_reference.py   # from the repository root

Writes test/fixtures/anomaly/reference.json and two .npy files saved by numpy itself.
Metrics follow scikit-learn's definitions (roc_auc_score, average_precision_score,
precision_recall_curve), written out here in numpy because sklearn is not installed.
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "anomaly")


def roc_auc(scores, labels):
    """P(positive > negative) + 0.5 P(tie), over all pairs: the definition, no ranking shortcuts."""
    pos, neg = scores[labels], scores[~labels]
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def average_precision(scores, labels):
    thresholds = np.unique(scores)[::-1]
    ap, prev_recall = 0.0, 0.0
    for t in thresholds:
        pred = scores >= t
        tp = (pred & labels).sum()
        recall = tp / labels.sum()
        ap += (recall - prev_recall) * tp / pred.sum()
        prev_recall = recall
    return float(ap)


def f1_at(scores, labels, t):
    pred = scores >= t
    tp, fp, fn = (pred & labels).sum(), (pred & ~labels).sum(), (~pred & labels).sum()
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def metrics_case(rng, n_normal, n_anomalous, rounding):
    scores = np.concatenate([rng.normal(0, 1, n_normal), rng.normal(1.2, 1, n_anomalous)]).round(rounding)
    labels = np.array([False] * n_normal + [True] * n_anomalous)
    f1s = {float(t): f1_at(scores, labels, t) for t in np.unique(scores)}
    best = max(f1s.values())
    best_t = max(t for t, f in f1s.items() if f == best)  # the higher threshold wins a tie
    hist_n, edges = np.histogram(scores[~labels], bins=10, range=(scores.min(), scores.max()))
    hist_a, _ = np.histogram(scores[labels], bins=10, range=(scores.min(), scores.max()))
    return {
        "scores": scores.tolist(), "anomalous": labels.tolist(),
        "auroc": roc_auc(scores, labels), "aupr": average_precision(scores, labels),
        "f1AtZero": f1_at(scores, labels, 0.0), "bestF1": best, "bestThreshold": best_t,
        "histogram": {"edges": edges.tolist(), "normal": hist_n.tolist(), "anomalous": hist_a.tolist()},
    }


def padim_case(rng, n, d, p, eps):
    """Per-position mean, covariance (n-1) + eps*I, and Mahalanobis distances via the explicit inverse."""
    train = rng.normal(0, 1, (n, d, p)) * rng.uniform(0.5, 2, (1, d, 1)) + rng.normal(0, 3, (1, d, p))
    train[:, 1, :] += 0.8 * train[:, 0, :]  # correlated channels, so the covariance is not diagonal
    test = rng.normal(0, 1.5, (d, p))
    mean = train.mean(axis=0)
    dist = []
    covs = []
    for pos in range(p):
        x = train[:, :, pos]
        cov = np.cov(x, rowvar=False, ddof=1) + eps * np.eye(d)
        covs.append(cov.tolist())
        delta = test[:, pos] - mean[:, pos]
        dist.append(float(np.sqrt(delta @ np.linalg.inv(cov) @ delta)))
    return {"n": n, "d": d, "p": p, "epsilon": eps, "train": train.reshape(n, -1).tolist(), "test": test.reshape(-1).tolist(),
            "mean": mean.T.tolist(), "covariance": covs, "distance": dist}


def main():
    rng = np.random.default_rng(20251122)
    os.makedirs(OUT, exist_ok=True)
    ref = {
        "metrics": [metrics_case(rng, 30, 25, 1), metrics_case(rng, 40, 12, 3)],
        "padim": padim_case(rng, 12, 4, 5, 0.01),
    }
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    np.save(os.path.join(OUT, "numpy-f4.npy"), np.arange(24, dtype="<f4").reshape(2, 3, 4) / 8)
    np.save(os.path.join(OUT, "numpy-i4.npy"), np.array([3, -1, 7], dtype="<i4"))
    np.save(os.path.join(OUT, "numpy-f8.npy"), np.arange(6, dtype="<f8").reshape(2, 3) / 3)


if __name__ == "__main__":
    main()

"""Deterministic training with early stopping on the validation split."""
import copy
import os
import random
import time

import numpy as np
import torch
from torch import nn

from .net import DemoNet, normalise


def make_deterministic(seed):
    """Same seed, same machine -> same weights, bit for bit."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # harmless on CPU; required on CUDA
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)
    torch.backends.cudnn.benchmark = False


def predict(model, images, mean, std, batch=256):
    """Logits for a uint8 (N,H,W) tensor, in eval mode."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            out.append(model(normalise(images[i : i + batch], mean, std)))
    return torch.cat(out)


def confusion(pred, target, n):
    m = np.zeros((n, n), dtype=np.int64)
    for t, p in zip(target.tolist(), pred.tolist()):
        m[t, p] += 1
    return m


def _shift(images, gen, max_shift=6):
    """Cheap extra augmentation on uint8 batches: a random whole-pixel translation.

    Whole pixels keep the 8-bit values exactly as a stored image would have them.
    """
    dy, dx = (int(v) for v in torch.randint(-max_shift, max_shift + 1, (2,), generator=gen))
    out = torch.zeros_like(images)
    h, w = images.shape[-2:]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def train(train_set, val_set, mean, std, seed, epochs=14, patience=4, batch=64, lr=3e-3, log=print):
    """Adam + cosine schedule; keeps the weights of the best validation epoch."""
    x_train, y_train = train_set
    x_val, y_val = val_set
    gen = torch.Generator().manual_seed(seed)
    model = DemoNet(n_classes=int(y_train.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * ((len(x_train) + batch - 1) // batch))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    best = {"acc": -1.0, "loss": float("inf"), "epoch": -1, "state": None}
    history = []
    for epoch in range(epochs):
        t0 = time.time()
        model.train()
        order = torch.randperm(len(x_train), generator=gen)
        total, n = 0.0, 0
        for i in range(0, len(order), batch):
            idx = order[i : i + batch]
            xb = normalise(_shift(x_train[idx], gen), mean, std)
            loss = loss_fn(model(xb), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            n += len(idx)
        logits = predict(model, x_val, mean, std)
        val_loss = float(nn.functional.cross_entropy(logits, y_val))
        val_acc = float((logits.argmax(1) == y_val).float().mean())
        history.append({"epoch": epoch + 1, "train_loss": total / n, "val_loss": val_loss, "val_acc": val_acc})
        log(
            f"  epoch {epoch + 1:2d}: train loss {total / n:.4f}  val loss {val_loss:.4f}  "
            f"val acc {val_acc:.4f}  ({time.time() - t0:.0f}s)"
        )
        if val_acc > best["acc"] or (val_acc == best["acc"] and val_loss < best["loss"]):
            best = {"acc": val_acc, "loss": val_loss, "epoch": epoch + 1, "state": copy.deepcopy(model.state_dict())}
        elif epoch + 1 - best["epoch"] >= patience:
            log(f"  early stop: no validation gain for {patience} epochs")
            break
    model.load_state_dict(best["state"])
    model.eval()
    return model, {"best_epoch": best["epoch"], "val_acc": best["acc"], "val_loss": best["loss"], "history": history}

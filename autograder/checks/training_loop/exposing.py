"""Evaluation data that tells the slips apart: rows are chosen, in `plan`, from the seeded reference
model's own logits (for `fit`, the model as the reference run leaves it), so that on every draw each
known slip of computing a loss or an accuracy (a 0.5 threshold on logits, (n,) against (n, 1)
targets, batch means, the first or the last batch alone) gives numbers of its own, and so do
thresholds of 1 and -1 and inverted predictions.

Requirement rows it guards (assignments/02_training_loop/requirements.toml):
evaluate-whole-loader, evaluate-accuracy, evaluate-threshold, evaluate-loss-on-logits,
fit-validation.
"""

from __future__ import annotations

import numpy as np
import torch


def logits_of_model(model, X) -> np.ndarray:
    """The model's logits in evaluation mode, computed in float32 as the kernel computes them."""
    model.eval()
    with torch.no_grad():
        return model(torch.as_tensor(X, dtype=torch.float32)).double().numpy().ravel()


def _bce(z, t):
    return np.logaddexp(0.0, z) - t * z


def _slip_values(logits, y, batch_size):
    """What evaluate() returns on these logits and labels, rightly and under each known slip."""
    bounds = list(range(0, len(y), batch_size)) + [len(y)]
    batches = [(logits[a:b], y[a:b]) for a, b in zip(bounds, bounds[1:])]

    def table(z, t):  # mean of the n x n comparison of (n,) predictions with (n, 1) targets
        p = np.mean(z > 0)
        return p * np.mean(t) + (1 - p) * (1 - np.mean(t))

    n = len(y)
    accuracies = [
        np.mean((logits > 0) == y),
        np.mean((logits > 0.5) == y),
        np.mean([np.mean((z > 0) == t) for z, t in batches]),
        sum(len(t) * table(z, t) for z, t in batches) / n,
        sum(len(t) ** 2 * table(z, t) for z, t in batches) / n,
        table(logits, y),
        *(np.mean((z > 0) == t) for z, t in (batches[0], batches[-1])),
    ]
    losses = [
        np.mean(_bce(logits, y)),
        np.mean([np.mean(_bce(z, t)) for z, t in batches]),
        np.mean(_bce(1 / (1 + np.exp(-logits)), y)),
        *(np.mean(_bce(z, t)) for z, t in (batches[0], batches[-1])),
    ]
    return accuracies, losses


def _apart(values, gap):
    values = np.sort(np.asarray(values, dtype=float))
    return bool(np.all(np.diff(values) > gap * np.maximum(1.0, np.abs(values[1:]))))


def exposing_rows(rng, logits_of, n, d, batch_size, tries=200):
    """Rows and labels on which every known evaluation slip gives its own accuracy and loss, or None
    when this model's logits cannot be placed so (the caller draws another model).

    Rows are picked from a pool by the logit the model gives them: some below 0, some inside
    (0.05, 0.45), where a 0.5 threshold on logits errs, some above 0.55."""
    pool = rng.normal(size=(2000, d)) * rng.choice([0.25, 0.5, 1.0, 2.0, 4.0, 8.0], size=(2000, 1))
    logits = logits_of(pool)
    kinds = [np.flatnonzero(logits < -0.05), np.flatnonzero((logits > 0.05) & (logits < 0.45)), np.flatnonzero(logits > 0.55)]
    for _ in range(tries):
        kind = rng.choice(3, size=n, p=[0.35, 0.3, 0.35])
        counts = np.bincount(kind, minlength=3)
        if counts.min() < 3 or any(c > len(k) for c, k in zip(counts, kinds)):
            continue
        rows = np.empty(n, dtype=int)
        for k in range(3):
            rows[kind == k] = rng.choice(kinds[k], size=counts[k], replace=False)
        # Mostly labels the sign of the logit gets right; the band mostly positive, so a 0.5
        # threshold costs accuracy.
        right = rng.random(n) < 0.8
        y = np.where(kind == 0, 1 - right, right).astype(float)
        accuracies, losses = _slip_values(logits[rows], y, batch_size)
        # Other thresholds (logits above 1 or -1) and inverted predictions must cost accuracy too.
        others = [np.mean((logits[rows] > threshold) == y) for threshold in (1.0, -1.0)] + [1 - accuracies[0]]
        if (min(abs(accuracies[0] - a) for a in [accuracies[1], *others]) >= 1 / n and _apart(accuracies, 1e-3)
                and _apart(losses, 1e-3)):
            return pool[rows], y
    return None


def with_seeded_model(rng, make):
    """`make(seed)` with fresh model seeds until it returns something; the grader's global torch
    random state is left as it was."""
    with torch.random.fork_rng(devices=[]):
        for _ in range(100):  # one or two in practice
            seed = int(rng.integers(1 << 30))
            found = make(seed)
            if found is not None:
                return seed, found
    raise RuntimeError("no seeded model gave logits that tell the evaluation slips apart")



def eval_data(rng, n, make_model):
    """(seed, (X, y)): a model seed and evaluation rows on which the seeded model's logits tell
    every known slip apart (`make_model(seed)` returns the model as it will be evaluated)."""
    return with_seeded_model(rng, lambda seed: exposing_rows(rng, lambda X: logits_of_model(make_model(seed), X), n, 4, 16))

"""Cross-validation: how many samples a fold trains on."""

import numpy as np
from sklearn.model_selection import KFold

from autograder.checks.exam.question import Integer, Meta, Variant

META = Meta(title="k-fold training set size", lecture="L04 cross-validation", points=1, version=1,
            band={"samples": (50, 400), "folds": (3, 10)})


def generate(rng):
    while True:
        k = int(rng.choice([3, 4, 5, 6, 8, 10]))
        n = int(rng.integers(50, 401))
        fold = int(rng.integers(k))
        if n % k:
            break
    validation = n // k + (1 if fold < n % k else 0)  # scikit-learn gives the first n % k folds one more
    train = n - validation
    text = (f"`sklearn.model_selection.KFold(n_splits={k})` (no shuffling) splits {n} samples. How many "
            f"samples does the model of fold {fold + 1} train on?")
    mistakes = (n - n // k, n // k, n - (n // k + 1) if validation == n // k else n - n // k)
    extra = n % k
    larger = "fold 1 validates" if extra == 1 else f"folds 1 to {extra} validate"
    smaller = f"fold {k}" if extra == k - 1 else f"folds {extra + 1} to {k}"
    worked = (f"${n} = {k} \\cdot {n // k} + {extra}$: `KFold` gives the remainder to the first folds, so {larger} "
              f"on {n // k + 1} samples and {smaller} on {n // k}.\n\n"
              f"Fold {fold + 1} therefore holds out {validation} samples for validation.\n\n"
              f"The model trains on all the other samples: ${n} - {validation} = {train}$.")
    return Variant(text, Integer(train, tuple(m for m in mistakes if m != train)), {"n": n, "k": k, "fold": fold},
                   {"samples": n, "folds": k}, worked=worked)


def execute(params):
    splits = list(KFold(n_splits=params["k"]).split(np.zeros(params["n"])))
    return len(splits[params["fold"]][0])

"""n // k samples per fold: the remainder is never tested."""
import numpy as np

EXPECT = {"test_fold_indices": "leave samples out"}


def fold_indices(y, n_splits=5, seed=0):
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    size = len(y) // n_splits
    folds = []
    for k in range(n_splits):
        test = order[k * size:(k + 1) * size]
        folds.append((np.setdiff1d(np.arange(len(y)), test), test))
    return folds

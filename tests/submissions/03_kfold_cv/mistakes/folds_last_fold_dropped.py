"""Fold boundaries by hand with an off-by-one loop: the last fold is never made, so its samples are never tested."""
import numpy as np

EXPECT = {"test_fold_indices": "leave samples out"}


def fold_indices(y, n_splits=5, seed=0):
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    dealt = np.concatenate([order[k::n_splits] for k in range(n_splits)])
    bounds = np.linspace(0, len(y), n_splits + 1).astype(int)
    folds = []
    for k in range(1, n_splits):
        test = dealt[bounds[k - 1]:bounds[k]]
        folds.append((np.setdiff1d(np.arange(len(y)), test), test))
    return folds

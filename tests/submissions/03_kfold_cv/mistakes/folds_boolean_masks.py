"""Each fold as a pair of boolean masks (which rows are in it) instead of integer index arrays."""
import numpy as np

EXPECT = {"test_fold_indices": "boolean masks"}


def fold_indices(y, n_splits=5, seed=0):
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(y), dtype=int)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        fold_of[members] = np.arange(len(members)) % n_splits
    return [(fold_of != k, fold_of == k) for k in range(n_splits)]

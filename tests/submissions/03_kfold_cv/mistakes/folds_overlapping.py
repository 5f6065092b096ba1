"""Each test fold drawn at random on its own: folds overlap and some samples are never tested."""
import numpy as np

EXPECT = {"test_fold_indices": "overlap"}


def fold_indices(y, n_splits=5, seed=0):
    rng = np.random.default_rng(seed)
    n = len(y)
    folds = []
    for _ in range(n_splits):
        test = rng.choice(n, n // n_splits, replace=False)
        folds.append((np.setdiff1d(np.arange(n), test), test))
    return folds

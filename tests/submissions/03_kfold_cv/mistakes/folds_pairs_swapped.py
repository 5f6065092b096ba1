"""The pairs appended as (test, train): the names of split()'s two arrays mixed up."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "(train_idx, test_idx), in that order"}


def fold_indices(y, n_splits=5, seed=0):
    folds = []
    for test_idx, train_idx in StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        folds.append((train_idx, test_idx))
    return folds

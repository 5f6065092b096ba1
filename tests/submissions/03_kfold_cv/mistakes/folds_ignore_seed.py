"""Shuffled without a random_state: every call gives new folds."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "different folds"}


def fold_indices(y, n_splits=5, seed=0):
    return list(StratifiedKFold(n_splits=n_splits, shuffle=True).split(np.zeros(len(y)), y))

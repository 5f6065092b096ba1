"""random_state=42 written in, instead of the seed argument: every seed gives the same folds."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "same folds for two different seeds"}


def fold_indices(y, n_splits=5, seed=0):
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=42)
    return list(splitter.split(np.zeros(len(y)), y))

"""StratifiedKFold without shuffling: the folds follow the file's order."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "not shuffled"}


def fold_indices(y, n_splits=5, seed=0):
    return list(StratifiedKFold(n_splits=n_splits).split(np.zeros(len(y)), y))

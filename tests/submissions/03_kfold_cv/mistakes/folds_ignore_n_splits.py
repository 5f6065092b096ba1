"""Always five folds: n_splits is taken as the default and never passed to StratifiedKFold."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "expected n_splits=3"}


def fold_indices(y, n_splits=5, seed=0):
    splitter = StratifiedKFold(shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))

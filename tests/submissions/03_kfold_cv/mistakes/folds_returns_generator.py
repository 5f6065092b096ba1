"""The splitter's generator returned as it is, without list(): nothing a caller can index or take len() of."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "generator"}


def fold_indices(y, n_splits=5, seed=0):
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return splitter.split(np.zeros(len(y)), y)

"""The signature's default seed changed to 42: fold_indices(y) is no longer fold_indices(y, seed=0)."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "keep the signature's defaults"}


def fold_indices(y, n_splits=5, seed=42):
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))

"""Shuffled KFold without stratification: the class balance varies from fold to fold."""
import numpy as np
from sklearn.model_selection import KFold

EXPECT = {"test_fold_indices": "stratify"}


def fold_indices(y, n_splits=5, seed=0):
    return list(KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y))))

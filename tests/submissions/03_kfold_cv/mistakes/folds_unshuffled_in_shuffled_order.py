"""The folds of an unshuffled StratifiedKFold, only their order shuffled with the seed: each test fold
is still a run of consecutive rows of each class, so the rows grouped by class stay grouped."""
import numpy as np
from sklearn.model_selection import StratifiedKFold

EXPECT = {"test_fold_indices": "not shuffled"}


def fold_indices(y, n_splits=5, seed=0):
    folds = list(StratifiedKFold(n_splits=n_splits).split(np.zeros(len(y)), y))
    order = np.random.default_rng(seed).permutation(len(folds))
    return [folds[i] for i in order]

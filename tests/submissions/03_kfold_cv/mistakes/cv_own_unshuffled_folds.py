"""A StratifiedKFold of its own inside cross_validate (unshuffled) instead of fold_indices(y, n_splits, seed)."""
import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "of the folds fold_indices gives for this seed"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in StratifiedKFold(n_splits).split(X, y):
        scaler = StandardScaler().fit(X[train_idx])
        model = train_model(make_model(), scaler.transform(X[train_idx]), y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, scaler.transform(X[test_idx]), y[test_idx]))
    return scores

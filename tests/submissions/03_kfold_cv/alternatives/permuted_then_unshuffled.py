"""Rows permuted with a seeded RandomState, then an unshuffled StratifiedKFold on the permuted labels;
a tuple of tuples of folds; cross_validate returns a numpy array; summarize returns an array pair."""
import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler


def fold_indices(y, n_splits=5, seed=0):
    order = np.random.RandomState(seed).permutation(len(y))
    splitter = StratifiedKFold(n_splits=n_splits)
    return tuple((order[tr], order[te]) for tr, te in splitter.split(np.zeros(len(y)), np.asarray(y)[order]))


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    folds = fold_indices(y, n_splits, seed)
    scores = np.zeros(len(folds))
    for k, (train_idx, test_idx) in enumerate(folds):
        scaler = StandardScaler()
        X_train = scaler.fit_transform(X[train_idx])
        model = make_model()
        train_model(model, X_train, y[train_idx], epochs, lr, seed)
        scores[k] = accuracy(model, scaler.transform(X[test_idx]), y[test_idx])
    return scores


def summarize_scores(scores):
    scores = np.ravel(scores)
    return np.array([scores.mean(), np.std(scores, ddof=1)])

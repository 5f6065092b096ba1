"""Folds by np.array_split of per-class permutations; the baseline is cross_val_score's numpy array
on those folds, with LogisticRegression(max_iter=1000); repeats as a list comprehension of lists."""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def fold_indices(y, n_splits=5, seed=0):
    rng = np.random.default_rng(seed)
    parts = [[] for _ in range(n_splits)]
    for label in np.unique(y):
        for k, chunk in enumerate(np.array_split(rng.permutation(np.flatnonzero(y == label)), n_splits)):
            parts[(k + label) % n_splits].extend(chunk.tolist())
    return [(np.setdiff1d(np.arange(len(y)), p), np.sort(np.array(p, dtype=int))) for p in parts]


def baseline_cv(X, y, n_splits=5, seed=0):
    model = Pipeline([("scaler", StandardScaler()), ("logreg", LogisticRegression(max_iter=1000))])
    return cross_val_score(model, X, y, cv=fold_indices(y, n_splits, seed), scoring="accuracy")


def repeated_cv(X, y, make_model, seeds, n_splits=5, epochs=30, lr=1e-3):
    return [list(cross_validate(X, y, make_model, n_splits=n_splits, seed=s, epochs=epochs, lr=lr)) for s in seeds]

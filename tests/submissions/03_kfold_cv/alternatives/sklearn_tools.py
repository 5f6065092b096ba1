"""cross_val_score on explicit folds; list-of-lists folds; the repeats as a list of lists."""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def fold_indices(y, n_splits=5, seed=0):
    cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    return [(list(train), list(test)) for train, test in cv.split(np.zeros_like(y), y)]


def baseline_cv(X, y, n_splits=5, seed=0):
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    folds = [(np.array(a), np.array(b)) for a, b in fold_indices(y, n_splits, seed)]
    return cross_val_score(pipeline, X, y, cv=folds).tolist()


def repeated_cv(X, y, make_model, seeds, n_splits=5, epochs=30, lr=1e-3):
    rows = []
    for s in seeds:
        rows.append(list(cross_validate(X, y, make_model, n_splits=n_splits, seed=s, epochs=epochs, lr=lr)))
    return rows  # a list of lists: one row of fold scores per seed

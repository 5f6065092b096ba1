"""The baseline's default seed changed to 1: baseline_cv(X, y) no longer runs on the folds of seed 0."""
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_baseline_cv": "with its defaults"}


def baseline_cv(X, y, n_splits=5, seed=1):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        pipeline = make_pipeline(StandardScaler(), LogisticRegression())
        scores.append(pipeline.fit(X[train_idx], y[train_idx]).score(X[test_idx], y[test_idx]))
    return scores

"""The scaler fitted once on all of X before the folds, then a LogisticRegression per fold: the test folds leak into the scaling."""
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_baseline_cv": "fitted on all of X before the folds"}


def baseline_cv(X, y, n_splits=5, seed=0):
    X_scaled = StandardScaler().fit_transform(X)
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        model = LogisticRegression().fit(X_scaled[train_idx], y[train_idx])
        scores.append(model.score(X_scaled[test_idx], y[test_idx]))
    return scores

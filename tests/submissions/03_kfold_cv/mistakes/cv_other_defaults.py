"""Defaults of its own (epochs=10, lr=1e-2) instead of the signature's epochs=30, lr=1e-3."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "with its defaults"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=10, lr=1e-2):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        scaler = StandardScaler().fit(X[train_idx])
        model = train_model(make_model(), scaler.transform(X[train_idx]), y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, scaler.transform(X[test_idx]), y[test_idx]))
    return scores

"""lr and seed passed on to train_model but epochs left out: every fold trains for the default 30 epochs."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "not epochs=6"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        scaler = StandardScaler().fit(X[train_idx])
        model = train_model(make_model(), scaler.transform(X[train_idx]), y[train_idx], seed=seed, lr=lr)
        scores.append(accuracy(model, scaler.transform(X[test_idx]), y[test_idx]))
    return scores

"""train_model called without seed=seed: every fold's batches are shuffled with train_model's default seed 0."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "without seed=seed"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        scaler = StandardScaler().fit(X[train_idx])
        model = train_model(make_model(), scaler.transform(X[train_idx]), y[train_idx], epochs=epochs, lr=lr)
        scores.append(accuracy(model, scaler.transform(X[test_idx]), y[test_idx]))
    return scores

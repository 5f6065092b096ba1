"""One model for all folds: later folds start from weights that have seen their test samples."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "fresh model"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    model = make_model()
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        scaler = StandardScaler().fit(X[train_idx])
        train_model(model, scaler.transform(X[train_idx]), y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, scaler.transform(X[test_idx]), y[test_idx]))
    return scores

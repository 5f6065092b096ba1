"""Accuracy measured on the training part it was fitted on, not on the held-out test fold."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "not evaluated on its test part"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        scaler = StandardScaler().fit(X[train_idx])
        X_train = scaler.transform(X[train_idx])
        model = train_model(make_model(), X_train, y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, X_train, y[train_idx]))
    return scores

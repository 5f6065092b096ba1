"""The scaler is fitted once on all data before cross-validation: the test folds leak into it."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "fit the scaler inside each fold"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    X = StandardScaler().fit_transform(X)
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        model = train_model(make_model(), X[train_idx], y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, X[test_idx], y[test_idx]))
    return scores

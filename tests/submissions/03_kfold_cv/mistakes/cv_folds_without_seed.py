"""The seed reaches train_model but not fold_indices: every call splits with the folds of seed 0."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "the folds fold_indices gives for this seed"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits):
        scaler = StandardScaler().fit(X[train_idx])
        model = train_model(make_model(), scaler.transform(X[train_idx]), y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, scaler.transform(X[test_idx]), y[test_idx]))
    return scores

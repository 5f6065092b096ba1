"""The test fold is scaled with its own statistics instead of the training part's."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "test part transformed with the training part's scaler"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        X_train = StandardScaler().fit_transform(X[train_idx])
        X_test = StandardScaler().fit_transform(X[test_idx])
        model = train_model(make_model(), X_train, y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, X_test, y[test_idx]))
    return scores

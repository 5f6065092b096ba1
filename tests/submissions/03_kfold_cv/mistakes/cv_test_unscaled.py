"""The scaler is fitted on the training part and used for training, but the test part is scored raw."""
from sklearn.preprocessing import StandardScaler

EXPECT = {"test_cross_validate": "the test part was not scaled"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        X_train = StandardScaler().fit_transform(X[train_idx])
        model = train_model(make_model(), X_train, y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, X[test_idx], y[test_idx]))
    return scores

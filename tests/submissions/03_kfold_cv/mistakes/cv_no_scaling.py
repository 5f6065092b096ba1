"""No scaling at all: the raw features go into the network."""
EXPECT = {"test_cross_validate": "fit the scaler inside each fold"}


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    scores = []
    for train_idx, test_idx in fold_indices(y, n_splits, seed):
        model = train_model(make_model(), X[train_idx], y[train_idx], epochs=epochs, lr=lr, seed=seed)
        scores.append(accuracy(model, X[test_idx], y[test_idx]))
    return scores

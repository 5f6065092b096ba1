"""Each fold's model is also scored on its own training part, printed as a diagnostic of over-fitting;
the held-out accuracies alone are returned, as asked."""
from sklearn.preprocessing import StandardScaler


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    held_out = []
    for k, (train_idx, test_idx) in enumerate(fold_indices(y, n_splits, seed)):
        scaler = StandardScaler().fit(X[train_idx])
        X_train, X_test = scaler.transform(X[train_idx]), scaler.transform(X[test_idx])
        model = train_model(make_model(), X_train, y[train_idx], epochs=epochs, lr=lr, seed=seed)
        seen = accuracy(model, X_train, y[train_idx])
        held_out.append(accuracy(model, X_test, y[test_idx]))
        print(f"fold {k + 1}: training accuracy {seen:.3f}, held-out accuracy {held_out[-1]:.3f}")
    return held_out

"""The scaler fitted inside each fold through fit_transform; sample std computed by formula."""
import numpy as np
from sklearn.preprocessing import StandardScaler


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    out = []
    for fold, (tr, te) in enumerate(fold_indices(y, n_splits=n_splits, seed=seed)):
        scaler = StandardScaler()
        X_tr = scaler.fit_transform(X[tr])
        X_te = scaler.transform(X[te])
        net = make_model()
        net = train_model(net, X_tr, y[tr], epochs, lr, seed)
        out.append(accuracy(net, X_te, y[te]))
    return out


def summarize_scores(scores):
    s = np.array(scores, dtype=float)
    m = s.sum() / len(s)
    return m, np.sqrt(((s - m) ** 2).sum() / (len(s) - 1))

"""Scaling done in torch (float64, population std, as StandardScaler); scores as a tuple; the repeats
stacked with np.vstack; summarize with torch, returning 0-d tensors."""
import numpy as np
import torch


def cross_validate(X, y, make_model, n_splits=5, seed=0, epochs=30, lr=1e-3):
    X_all = torch.as_tensor(X, dtype=torch.float64)
    out = []
    for tr, te in fold_indices(y, n_splits=n_splits, seed=seed):
        tr, te = torch.as_tensor(tr), torch.as_tensor(te)
        mu = X_all[tr].mean(dim=0)
        sd = X_all[tr].std(dim=0, unbiased=False)
        net = train_model(make_model(), ((X_all[tr] - mu) / sd).numpy(), y[tr.numpy()], epochs=epochs, lr=lr, seed=seed)
        out.append(accuracy(net, ((X_all[te] - mu) / sd).numpy(), y[te.numpy()]))
    return tuple(out)


def summarize_scores(scores):
    t = torch.as_tensor(np.asarray(scores, dtype=float))
    return t.mean(), t.std()  # torch's std is the sample std (unbiased) by default


def repeated_cv(X, y, make_model, seeds, n_splits=5, epochs=30, lr=1e-3):
    return np.vstack([np.asarray(cross_validate(X, y, make_model, n_splits=n_splits, seed=s, epochs=epochs, lr=lr)) for s in seeds])

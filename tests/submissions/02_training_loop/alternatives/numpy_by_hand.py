"""Stratified split and scaling by hand in numpy; a ModuleList MLP with functional activations."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def split_data(X, y, seed=0):
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        a, b = round(0.6 * len(rows)), round(0.8 * len(rows))
        for part, chunk in zip(parts, (rows[:a], rows[a:b], rows[b:])):
            part.extend(chunk)
    train, val, test = (rng.permutation(np.array(p)) for p in parts)
    return X[train], X[val], X[test], y[train], y[val], y[test]


def standardize(X_train, X_val, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_val - mean) / std, (X_test - mean) / std, (mean, std)


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    features = torch.from_numpy(np.asarray(X, dtype=np.float32))
    targets = torch.from_numpy(np.asarray(y, dtype=np.float32)[:, None])
    return DataLoader(TensorDataset(features, targets), batch_size=batch_size, shuffle=shuffle, generator=g)


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        sizes = [n_features, *hidden_sizes]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(sizes[-1], 1)
        self.act = F.relu if activation == "relu" else torch.tanh
        self.p = dropout

    def forward(self, x):
        for layer in self.hidden:
            x = F.dropout(self.act(layer(x)), p=self.p, training=self.training)
        return self.out(x)

"""StratifiedShuffleSplit, a ddof=1 scaler, an output layer registered first, inference_mode."""
import numpy as np
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from torch import nn


def split_data(X, y, seed=0):
    first = StratifiedShuffleSplit(n_splits=1, test_size=0.4, random_state=seed)
    train, rest = next(first.split(X, y))
    second = StratifiedShuffleSplit(n_splits=1, test_size=0.5, random_state=seed)
    val, test = (rest[i] for i in next(second.split(X[rest], y[rest])))
    return X[train], X[val], X[test], y[train], y[val], y[test]


def standardize(X_train, X_val, X_test):
    mean, std = np.mean(X_train, axis=0), np.std(X_train, axis=0, ddof=1)
    scale = lambda a: (a - mean) / std  # noqa: E731
    return scale(X_train), scale(X_val), scale(X_test), scale


class MLP(nn.Module):
    def __init__(self, n_features, hidden_sizes=(32, 16), activation="relu", dropout=0.0):
        super().__init__()
        self.head = nn.Linear(hidden_sizes[-1], 1)  # registered before the hidden layers
        blocks, width = [], n_features
        for size in hidden_sizes:
            blocks.append(nn.Sequential(nn.Linear(width, size), nn.Tanh() if activation == "tanh" else nn.ReLU(), nn.Dropout(dropout)))
            width = size
        self.body = nn.Sequential(*blocks)

    def forward(self, x):
        return self.head(self.body(x))


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train(True)
    weighted = []
    for xb, yb in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        weighted.append((loss.item(), xb.size(0)))
    return sum(l * n for l, n in weighted) / sum(n for _, n in weighted)


def evaluate(model, loader, loss_fn):
    model.eval()
    summed = nn.BCEWithLogitsLoss(reduction="sum")
    loss, hits, n = 0.0, 0, 0
    with torch.inference_mode():
        for xb, yb in loader:
            logits = model(xb)
            loss += summed(logits, yb).item()
            hits += (torch.sigmoid(logits).round() == yb).sum().item()
            n += xb.shape[0]
    return {"loss": loss / n, "accuracy": hits / n}

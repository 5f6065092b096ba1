"""fit collects its history in a collections.defaultdict(list), a dict subclass."""
from collections import defaultdict

import torch
from torch import nn


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = defaultdict(list)
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer))
        for name, value in evaluate(model, val_loader, loss_fn).items():
            history[f"val_{name}"].append(value)
    return history

"""fit with its own inner loops that never call .item(): the history holds 0-d tensors (detached),
which are the right numbers; train_one_epoch sums detached tensors and converts once at the end."""
import torch
from torch import nn


def train_one_epoch(model, loader, loss_fn, optimizer):
    model.train()
    total, count = torch.zeros(()), 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.detach() * xb.shape[0]
        count += xb.shape[0]
    return float(total / count)


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss(reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    n_train, n_val = len(train_loader.dataset), len(val_loader.dataset)
    for _ in range(epochs):
        model.train()
        running = torch.zeros(())
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb) / len(xb)
            loss.backward()
            optimizer.step()
            running += loss.detach() * len(xb)
        history["train_loss"].append(running / n_train)
        model.eval()
        with torch.no_grad():
            val_sum, hits = torch.zeros(()), torch.zeros(())
            for xb, yb in val_loader:
                logits = model(xb)
                val_sum += loss_fn(logits, yb)
                hits += (logits.gt(0) == yb.bool()).sum()
        history["val_loss"].append(val_sum / n_val)
        history["val_accuracy"].append(hits / n_val)
    return history

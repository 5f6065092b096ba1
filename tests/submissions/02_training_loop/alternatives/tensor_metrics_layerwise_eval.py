"""evaluate switches only the layers that care (dropout) to evaluation mode and keeps its sums as
tensors, so loss and accuracy come back as 0-d tensors; fit keeps those tensors in its history."""
import torch
from torch import nn


def evaluate(model, loader, loss_fn):
    model.apply(lambda layer: layer.eval() if isinstance(layer, nn.Dropout) else None)
    total, correct, count = torch.tensor(0.0), torch.tensor(0.0), 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb) * len(xb)
            correct += ((logits > 0).float() == yb).sum()
            count += len(xb)
    return {"loss": total / count, "accuracy": correct / count}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer))
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history

"""Each epoch validates first and trains afterwards, so the metrics lag one epoch behind."""
import torch
from torch import nn

EXPECT = {"test_fit": "before the epoch's training"}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer))
    return history

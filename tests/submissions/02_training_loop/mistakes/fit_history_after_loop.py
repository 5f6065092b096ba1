"""The appends are indented out of the loop over epochs: the history keeps only the last epoch."""
import torch
from torch import nn

EXPECT = {"test_fit": "one number per epoch"}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer)
        metrics = evaluate(model, val_loader, loss_fn)
    history["train_loss"].append(train_loss)
    history["val_loss"].append(metrics["loss"])
    history["val_accuracy"].append(metrics["accuracy"])
    return history

"""Records as train_loss the loss evaluate() measures on the training data after the epoch, not
the epoch's own training loss that train_one_epoch returns."""
import torch
from torch import nn

EXPECT = {"test_fit": "record the loss train_one_epoch returns"}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        train_one_epoch(model, train_loader, loss_fn, optimizer)
        history["train_loss"].append(evaluate(model, train_loader, loss_fn)["loss"])
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history

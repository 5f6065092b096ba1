"""Names the history's lists loss, val_loss and val_acc instead of train_loss, val_loss, val_accuracy."""
import torch
from torch import nn

EXPECT = {"test_fit": "train_loss, val_loss, val_accuracy"}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"loss": [], "val_loss": [], "val_acc": []}
    for _ in range(epochs):
        history["loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer))
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_acc"].append(metrics["accuracy"])
    return history

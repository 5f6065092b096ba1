"""epochs defaults to 10 where the signature gives 30."""
import torch
from torch import nn

EXPECT = {"test_fit": "30"}


def fit(model, train_loader, val_loader, epochs=10, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer))
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history

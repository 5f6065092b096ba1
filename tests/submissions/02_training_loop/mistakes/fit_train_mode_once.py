"""fit as one inline loop that calls model.train() once, before the first epoch: after the first
validation (model.eval()) every later epoch trains with dropout switched off."""
import torch
from torch import nn

EXPECT = {"test_fit": "model.train()"}


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    model.train()
    for _ in range(epochs):
        total, count = 0.0, 0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
        history["train_loss"].append(total / count)
        metrics = evaluate(model, val_loader, loss_fn)
        history["val_loss"].append(metrics["loss"])
        history["val_accuracy"].append(metrics["accuracy"])
    return history

"""fit returns its history as numpy arrays (one per key, in a fresh dict); evaluate gathers all
logits first and scores them with scikit-learn's accuracy_score and a summed BCE."""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score
from torch import nn


def evaluate(model, loader, loss_fn):
    model.eval()
    with torch.no_grad():
        logits, targets = map(torch.cat, zip(*[(model(xb), yb) for xb, yb in loader]))
    loss = F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / len(targets)
    accuracy = accuracy_score(targets.numpy().ravel(), (logits.numpy().ravel() > 0).astype(float))
    return dict(loss=loss.item(), accuracy=accuracy)


def fit(model, train_loader, val_loader, epochs=30, lr=1e-3):
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    rows = []
    for _ in range(epochs):
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer)
        metrics = evaluate(model, val_loader, loss_fn)
        rows.append((train_loss, metrics["loss"], metrics["accuracy"]))
    table = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return {"train_loss": table[:, 0], "val_loss": table[:, 1], "val_accuracy": tuple(table[:, 2])}

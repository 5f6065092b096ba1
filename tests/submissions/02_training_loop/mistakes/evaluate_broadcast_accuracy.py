"""Predictions flattened to shape (n,) and compared with the (n, 1) targets: the comparison
broadcasts to an n x n table, and its mean is not the accuracy."""
import torch

EXPECT = {"test_evaluate": "n x n comparison"}


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb).item() * len(xb)
            pred = (logits > 0).float().squeeze()
            correct += (pred == yb).float().mean().item() * len(xb)
            count += len(xb)
    return {"loss": total / count, "accuracy": correct / count}

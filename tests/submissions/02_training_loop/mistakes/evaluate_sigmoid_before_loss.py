"""Probabilities handed to BCEWithLogitsLoss, which applies a sigmoid of its own a second time."""
import torch

EXPECT = {"test_evaluate": "computed on probabilities"}


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            probs = torch.sigmoid(model(xb))
            total += loss_fn(probs, yb).item() * len(xb)
            correct += ((probs > 0.5).float() == yb).sum().item()
            count += len(xb)
    return {"loss": total / count, "accuracy": correct / count}

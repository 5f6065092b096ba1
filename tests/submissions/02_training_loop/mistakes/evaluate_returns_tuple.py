"""Returns the pair (loss, accuracy) instead of a dict with the keys "loss" and "accuracy"."""
import torch

EXPECT = {"test_evaluate": "must return a dict"}


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb).item() * len(xb)
            correct += ((logits > 0).float() == yb).sum().item()
            count += len(xb)
    return total / count, correct / count

"""Evaluation in training mode: dropout still drops units while measuring."""
import torch

EXPECT = {"test_evaluate": "model.eval()"}


def evaluate(model, loader, loss_fn):
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb).item() * len(xb)
            correct += ((logits > 0).float() == yb).sum().item()
            count += len(xb)
    return {"loss": total / count, "accuracy": correct / count}

"""The return statement is indented into the loop: only the first batch is ever evaluated."""
import torch

EXPECT = {"test_evaluate": "first batch"}


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb).item() * len(xb)
            correct += ((logits > 0).float() == yb).sum().item()
            count += len(xb)
            return {"loss": total / count, "accuracy": correct / count}

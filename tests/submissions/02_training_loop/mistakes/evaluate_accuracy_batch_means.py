"""The accuracy as the mean of the batch accuracies: the small last batch counts as much as a full one."""
import numpy as np
import torch

EXPECT = {"test_evaluate": "mean of the batch accuracies"}


def evaluate(model, loader, loss_fn):
    model.eval()
    total, count, accuracies = 0.0, 0, []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb).item() * len(xb)
            accuracies.append(((logits > 0).float() == yb).float().mean().item())
            count += len(xb)
    return {"loss": total / count, "accuracy": float(np.mean(accuracies))}

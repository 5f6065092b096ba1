"""evaluate switches only the layers that care (dropout) to evaluation mode and keeps its sums as
tensors, so loss and accuracy come back as 0-d tensors, and the notebook's own fit keeps them in its
history as they are."""
import torch
from torch import nn


def evaluate(model, loader, loss_fn):
    model.apply(lambda layer: layer.eval() if isinstance(layer, nn.Dropout) else None)
    total, correct, count = torch.tensor(0.0), torch.tensor(0.0), 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb) * len(xb)
            correct += ((logits > 0).float() == yb).sum()
            count += len(xb)
    return {"loss": total / count, "accuracy": correct / count}


"""The evaluation loss as the mean of the batch means."""
import torch

EXPECT = {"test_evaluate": "mean of the batch losses"}


def evaluate(model, loader, loss_fn):
    model.eval()
    losses, correct, count = [], 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            losses.append(loss_fn(logits, yb).item())
            correct += ((logits > 0).float() == yb).sum().item()
            count += len(xb)
    return {"loss": sum(losses) / len(losses), "accuracy": correct / count}

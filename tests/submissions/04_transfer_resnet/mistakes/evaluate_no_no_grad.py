"""Evaluation without torch.no_grad()."""
import torch.nn.functional as F

EXPECT = {"test_evaluate": "no_grad"}


def evaluate(model, loader, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    for images, labels in loader:
        logits = model(images.to(device))
        total += F.cross_entropy(logits, labels.to(device), reduction="sum").item()
        correct += (logits.argmax(1) == labels.to(device)).sum().item()
        count += len(images)
    return {"loss": total / count, "accuracy": correct / count}

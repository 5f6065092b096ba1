"""Evaluation in training mode: BatchNorm normalises with the batch's own statistics."""
import torch
import torch.nn.functional as F

EXPECT = {"test_evaluate": "model.eval()"}


def evaluate(model, loader, device):
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            total += F.cross_entropy(logits, labels.to(device), reduction="sum").item()
            correct += (logits.argmax(1) == labels.to(device)).sum().item()
            count += len(images)
    return {"loss": total / count, "accuracy": correct / count}

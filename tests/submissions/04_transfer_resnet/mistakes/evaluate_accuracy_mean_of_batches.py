"""The accuracy as the mean of the batch accuracies: the smaller last batch weighs as much as a full one."""
import numpy as np
import torch
import torch.nn.functional as F

EXPECT = {"test_evaluate": "mean of the batch accuracies"}


def evaluate(model, loader, device):
    model.eval()
    total, count, accuracies = 0.0, 0, []
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            total += F.cross_entropy(logits, labels, reduction="sum").item()
            accuracies.append((logits.argmax(dim=1) == labels).float().mean().item())
            count += len(labels)
    return {"loss": total / count, "accuracy": float(np.mean(accuracies))}

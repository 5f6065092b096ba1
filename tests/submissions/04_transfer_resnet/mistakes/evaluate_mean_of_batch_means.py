"""The evaluation loss as the mean of the batch means: the smaller last batch counts as much as a full one."""
import numpy as np
import torch
import torch.nn.functional as F

EXPECT = {"test_evaluate": "mean of the batch losses"}


def evaluate(model, loader, device):
    model.eval()
    losses, correct, count = [], 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            losses.append(F.cross_entropy(logits, labels).item())
            correct += (logits.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return {"loss": float(np.mean(losses)), "accuracy": correct / count}

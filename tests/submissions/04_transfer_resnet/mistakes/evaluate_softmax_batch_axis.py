"""Probabilities from a softmax over dim=0, the batch axis: each image's scores are normalised
against the other images of its batch, and the loss and predictions are taken from them."""
import torch
import torch.nn.functional as F

EXPECT = {"test_evaluate": "batch axis"}


def evaluate(model, loader, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            probs = F.softmax(model(images), dim=0)
            total += F.nll_loss(torch.log(probs), labels, reduction="sum").item()
            correct += (probs.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return {"loss": total / count, "accuracy": correct / count}

"""Only the images are moved to device: the labels stay on the CPU and meet the logits on device in the
loss, which raises on a GPU."""
import torch
import torch.nn.functional as F

EXPECT = {"test_evaluate": "stayed on the CPU while the model is on device"}


def evaluate(model, loader, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            total += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return {"loss": total / count, "accuracy": correct / count}

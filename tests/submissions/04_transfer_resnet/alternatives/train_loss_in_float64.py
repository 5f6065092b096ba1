"""The cross-entropy computed in float64 (the logits cast with .double()), the gradients flowing back in
float32: the same loss, rounded otherwise, which an unfrozen ResNet's BatchNorm layers amplify."""
import torch.nn.functional as F


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    set_train_mode(model, freeze_backbone)
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images).double(), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / count

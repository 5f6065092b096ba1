"""The epoch loss as the mean of the batch means."""
import torch.nn.functional as F

EXPECT = {"test_train_one_epoch": "mean of the batch losses"}


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    set_train_mode(model, freeze_backbone)
    losses = []
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)

"""optimizer.zero_grad() forgotten: every step adds the gradients of all earlier batches."""
import torch.nn.functional as F

EXPECT = {"test_train_one_epoch": "zero_grad"}


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    set_train_mode(model, freeze_backbone)
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / count

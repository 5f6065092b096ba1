"""train_one_epoch calls model.train() instead of set_train_mode: the freeze flag is ignored and a
frozen backbone's BatchNorm statistics move."""
import torch.nn.functional as F

EXPECT = {"test_train_one_epoch": "BatchNorm running statistics moved"}


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    model.train()
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / count

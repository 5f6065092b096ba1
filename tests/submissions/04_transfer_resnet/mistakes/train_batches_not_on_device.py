"""The batches are used as the loader gives them, never moved to device: fine on a CPU, but on a GPU the
first forward pass raises, the model being there and the images not."""
import torch.nn.functional as F

EXPECT = {"test_train_one_epoch": "stayed on the CPU while the model is on device"}


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    set_train_mode(model, freeze_backbone)
    total, count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / count

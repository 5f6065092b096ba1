"""F.nll_loss on the raw logits, without log_softmax: not the cross-entropy the prompt asks for (it
rewards large logits without bound)."""
import torch.nn.functional as F

EXPECT = {"test_train_one_epoch": "after the epoch"}


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    set_train_mode(model, freeze_backbone)
    total, count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
        count += len(images)
    return total / count

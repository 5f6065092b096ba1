"""A Dataset of its own over sorted folders; freezing by name; filter() for the optimizer."""
import os

import torch
from PIL import Image
from torch import nn
from torch.utils.data import Dataset
from torchvision import models


class MedFolder(Dataset):
    def __init__(self, root, files, transform):
        self.root, self.files, self.transform = root, files, transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        label, path = self.files[i]
        return self.transform(Image.open(path)), label


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    files = [(k, os.path.join(root, c, f)) for k, c in enumerate(classes) for f in sorted(os.listdir(os.path.join(root, c)))]
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(files), generator=g).tolist()
    n_val = round(len(files) * val_fraction)
    val = [files[i] for i in perm[:n_val]]
    train = [files[i] for i in perm[n_val:]]
    return MedFolder(root, train, build_transforms(True, image_size)), MedFolder(root, val, build_transforms(False, image_size))


def build_model(num_classes, freeze_backbone, weights_path=None):
    model = models.resnet18(weights=None)
    if weights_path is not None:
        model.load_state_dict(torch.load(weights_path, map_location="cpu"))
    model.fc = nn.Linear(512, num_classes)
    for name, p in model.named_parameters():
        p.requires_grad = not freeze_backbone or name.startswith("fc.")
    return model


def count_trainable(model):
    total = 0
    for p in model.parameters():
        if p.requires_grad:
            total += p.numel()
    return total


def make_optimizer(model, lr=1e-3):
    return torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=lr)


def train_one_epoch(model, loader, optimizer, device, freeze_backbone=False):
    set_train_mode(model, freeze_backbone)
    criterion = nn.CrossEntropyLoss(reduction="sum")
    summed, seen = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        (loss / len(y)).backward()
        optimizer.step()
        summed += loss.item()
        seen += len(y)
    return summed / seen

"""Both halves built on the evaluation transform: the split is right, but the training images are never
augmented."""
import torch
from torch.utils.data import Subset
from torchvision import datasets

EXPECT = {"test_make_datasets": "train_ds must use the training transform"}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    full = datasets.ImageFolder(root, transform=build_transforms(False, image_size))
    n_val = round(val_fraction * len(full))
    order = torch.randperm(len(full), generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(full, order[n_val:]), Subset(full, order[:n_val])

"""random_split of one ImageFolder: the validation half gets the augmenting training transform."""
import torch
from torch.utils.data import random_split
from torchvision import datasets

EXPECT = {"test_make_datasets": "evaluation transform"}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    full = datasets.ImageFolder(root, transform=build_transforms(True, image_size))
    n_val = round(val_fraction * len(full))
    train, val = random_split(full, [len(full) - n_val, n_val], generator=torch.Generator().manual_seed(seed))
    return train, val

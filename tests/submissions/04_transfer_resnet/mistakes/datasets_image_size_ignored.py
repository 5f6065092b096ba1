"""image_size is not passed on to build_transforms: the images always come out at its default, 64."""
import torch
from torch.utils.data import Subset
from torchvision import datasets

EXPECT = {"test_make_datasets": "build both transforms with image_size"}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    train_full = datasets.ImageFolder(root, transform=build_transforms(True))
    eval_full = datasets.ImageFolder(root, transform=build_transforms(False))
    n_val = round(val_fraction * len(train_full))
    order = torch.randperm(len(train_full), generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(train_full, order[n_val:]), Subset(eval_full, order[:n_val])

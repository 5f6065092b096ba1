"""The two datasets returned validation first: (val_ds, train_ds)."""
import torch
from torch.utils.data import Subset
from torchvision import datasets

EXPECT = {"test_make_datasets": "return (train_ds, val_ds)"}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    train_full = datasets.ImageFolder(root, transform=build_transforms(True, image_size))
    eval_full = datasets.ImageFolder(root, transform=build_transforms(False, image_size))
    n_val = round(val_fraction * len(train_full))
    order = torch.randperm(len(train_full), generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(eval_full, order[:n_val]), Subset(train_full, order[n_val:])

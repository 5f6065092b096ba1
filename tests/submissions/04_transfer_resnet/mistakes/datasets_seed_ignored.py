"""The split's generator seeded with 0, not with seed: every seed gives the same split."""
import torch
from torch.utils.data import Subset
from torchvision import datasets

EXPECT = {"test_make_datasets": "the seed must be used"}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    train_full = datasets.ImageFolder(root, transform=build_transforms(True, image_size))
    eval_full = datasets.ImageFolder(root, transform=build_transforms(False, image_size))
    n_val = round(val_fraction * len(train_full))
    order = torch.randperm(len(train_full), generator=torch.Generator().manual_seed(0)).tolist()
    return Subset(train_full, order[n_val:]), Subset(eval_full, order[:n_val])

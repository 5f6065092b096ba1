"""Two ImageFolders split with random_split each, through one generator: the second split draws a new
permutation, so some images land in both datasets and others in neither."""
import torch
from torch.utils.data import random_split
from torchvision import datasets

EXPECT = {"test_make_datasets": "some images are in both datasets"}


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    augmented = datasets.ImageFolder(root, transform=build_transforms(True, image_size))
    plain = datasets.ImageFolder(root, transform=build_transforms(False, image_size))
    n_val = round(val_fraction * len(plain))
    lengths = [len(plain) - n_val, n_val]
    generator = torch.Generator().manual_seed(seed)
    train_ds, _ = random_split(augmented, lengths, generator=generator)
    _, val_ds = random_split(plain, lengths, generator=generator)
    return train_ds, val_ds

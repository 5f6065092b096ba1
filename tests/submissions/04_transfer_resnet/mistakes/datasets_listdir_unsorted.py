"""Class indices from os.listdir's order, which is the file system's, not sorted."""
import os

import torch
from PIL import Image
from torch.utils.data import Dataset

EXPECT = {"test_make_datasets": "alphabetical"}


class Images(Dataset):
    def __init__(self, items, transform):
        self.items, self.transform = items, transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        path, label = self.items[index]
        return self.transform(Image.open(path)), label


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    classes = [d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))]
    items = [(os.path.join(root, name, f), k) for k, name in enumerate(classes)
             for f in sorted(os.listdir(os.path.join(root, name)))]
    order = torch.randperm(len(items), generator=torch.Generator().manual_seed(seed)).tolist()
    n_val = round(val_fraction * len(items))
    return (Images([items[i] for i in order[n_val:]], build_transforms(True, image_size)),
            Images([items[i] for i in order[:n_val]], build_transforms(False, image_size)))

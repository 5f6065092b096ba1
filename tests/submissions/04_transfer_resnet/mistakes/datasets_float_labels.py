"""A dataset of its own whose labels are float tensors (torch.tensor(k, dtype=torch.float32)): DataLoader
batches them into a float tensor, which F.cross_entropy reads as class probabilities, not indices."""
import os

import torch
from PIL import Image
from torch.utils.data import Dataset

EXPECT = {"test_make_datasets": "not class indices"}


class Scans(Dataset):
    def __init__(self, items, transform):
        self.items, self.transform = items, transform

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        path, k = self.items[index]
        return self.transform(Image.open(path)), torch.tensor(k, dtype=torch.float32)


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    classes = sorted(os.listdir(root))
    items = [(os.path.join(root, name, f), k) for k, name in enumerate(classes)
             for f in sorted(os.listdir(os.path.join(root, name)))]
    order = torch.randperm(len(items), generator=torch.Generator().manual_seed(seed)).tolist()
    n_val = round(val_fraction * len(items))
    return (Scans([items[i] for i in order[n_val:]], build_transforms(True, image_size)),
            Scans([items[i] for i in order[:n_val]], build_transforms(False, image_size)))

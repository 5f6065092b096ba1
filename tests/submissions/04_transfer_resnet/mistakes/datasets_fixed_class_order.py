"""Class indices from a hand-written list in the order of the course text, not alphabetical."""
import os

import torch
from PIL import Image
from torch.utils.data import Dataset

EXPECT = {"test_make_datasets": "alphabetical"}


class Folder(Dataset):
    ORDER = ["HeadCT", "ChestCT", "AbdomenCT", "CXR", "Hand", "BreastMRI"]

    def __init__(self, root, transform, files):
        self.root, self.transform, self.files = root, transform, files

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        name, file = self.files[index]
        image = Image.open(os.path.join(self.root, name, file)).convert("L")
        return self.transform(image), self.ORDER.index(name)


def make_datasets(root, seed=0, val_fraction=0.2, image_size=64):
    files = [(name, f) for name in Folder.ORDER for f in sorted(os.listdir(os.path.join(root, name)))]
    order = torch.randperm(len(files), generator=torch.Generator().manual_seed(seed)).tolist()
    n_val = round(val_fraction * len(files))
    pick = lambda idx: [files[i] for i in idx]  # noqa: E731
    return (Folder(root, build_transforms(True, image_size), pick(order[n_val:])),
            Folder(root, build_transforms(False, image_size), pick(order[:n_val])))

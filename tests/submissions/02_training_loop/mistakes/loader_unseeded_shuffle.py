"""Shuffling from the global random state: the seed argument changes nothing."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "different orders"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    dataset = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle)

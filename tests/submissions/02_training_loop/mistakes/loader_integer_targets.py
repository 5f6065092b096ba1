"""Targets left as numpy's int64 labels: BCEWithLogitsLoss needs float targets."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "float32 targets"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    dataset = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y).reshape(-1, 1))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))

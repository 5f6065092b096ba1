"""The seed defaults to 42, not 0: a shuffling loader made without a seed is not seed 0's."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "seed=0"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=42):
    dataset = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))

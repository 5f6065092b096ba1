"""Always batches of 32: the batch_size argument is accepted and ignored."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "batch_size=8"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    dataset = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1))
    return DataLoader(dataset, batch_size=32, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))

"""torch.tensor(X) keeps numpy's float64: the model's float32 weights then refuse the input."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "float32"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    dataset = TensorDataset(torch.tensor(X), torch.tensor(y, dtype=torch.float32).reshape(-1, 1))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))

"""shuffle=True hard-coded, so evaluation loaders shuffle too and the shuffle argument is ignored."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "original order"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    dataset = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1))
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))

"""Targets of shape (N,): BCEWithLogitsLoss against (N, 1) logits then broadcasts or fails."""
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "(N, 1)"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    dataset = TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=torch.Generator().manual_seed(seed))

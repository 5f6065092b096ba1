"""Shuffles the rows once, with a seeded permutation, and hands them to a loader that does not
shuffle: every epoch then sees the same order."""
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

EXPECT = {"test_make_loader": "reshuffle every epoch"}


def make_loader(X, y, batch_size=32, shuffle=False, seed=0):
    order = np.random.default_rng(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    dataset = TensorDataset(torch.as_tensor(X[order], dtype=torch.float32),
                            torch.as_tensor(y[order], dtype=torch.float32).reshape(-1, 1))
    return DataLoader(dataset, batch_size=batch_size)

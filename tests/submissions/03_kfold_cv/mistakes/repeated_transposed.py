"""The repeats stacked as columns (np.column_stack): shape (n_splits, len(seeds)) instead of one row per seed."""
import numpy as np

EXPECT = {"test_repeated_cv": "expected (len(seeds), n_splits)"}


def repeated_cv(X, y, make_model, seeds, n_splits=5, epochs=30, lr=1e-3):
    return np.column_stack([cross_validate(X, y, make_model, n_splits, seed, epochs, lr) for seed in seeds])

"""Each repeat calls cross_validate without epochs and lr: they train with its defaults instead."""
import numpy as np

EXPECT = {"test_repeated_cv": "not epochs=6"}


def repeated_cv(X, y, make_model, seeds, n_splits=5, epochs=30, lr=1e-3):
    return np.array([cross_validate(X, y, make_model, n_splits=n_splits, seed=seed) for seed in seeds])

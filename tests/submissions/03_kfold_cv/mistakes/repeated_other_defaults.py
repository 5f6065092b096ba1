"""A default of three folds instead of the signature's n_splits=5."""
import numpy as np

EXPECT = {"test_repeated_cv": "with its defaults"}


def repeated_cv(X, y, make_model, seeds, n_splits=3, epochs=30, lr=1e-3):
    return np.array([cross_validate(X, y, make_model, n_splits, seed, epochs, lr) for seed in seeds])

"""seed=seeds[0] in the loop instead of the loop's seed: every repeat runs on the first seed's folds."""
import numpy as np

EXPECT = {"test_repeated_cv": "in repeat 2 (seed=11)"}


def repeated_cv(X, y, make_model, seeds, n_splits=5, epochs=30, lr=1e-3):
    rows = []
    for seed in seeds:
        rows.append(cross_validate(X, y, make_model, n_splits, seeds[0], epochs, lr))
    return np.array(rows)

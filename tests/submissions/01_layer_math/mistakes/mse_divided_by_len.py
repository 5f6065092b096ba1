"""The squared errors summed and divided by len(y): the mean for a vector, but for an (N, k)
array it divides by the number of rows only."""
import numpy as np

EXPECT = {"test_mse_bce": "len("}


def mse_loss(y_pred, y):
    return np.sum((y_pred - y) ** 2) / len(y)

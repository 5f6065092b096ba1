"""Softmax shifted by the maximum of the whole array, not of each row: a row far below it underflows to 0 / 0."""
import numpy as np

EXPECT = {"test_softmax": "not the maximum of the whole array"}


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)

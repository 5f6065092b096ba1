"""Softmax over axis 0: normalises columns, not rows."""
import numpy as np

EXPECT = {"test_softmax": "wrong axis"}


def softmax(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)

"""Softmax with the row maximum and sum taken without keepdims: fine for one vector, but for a
batch the (N,) sums cannot broadcast against the (N, C) array."""
import numpy as np

EXPECT = {"test_softmax": "keepdims"}


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1))
    return e / np.sum(e, axis=-1)

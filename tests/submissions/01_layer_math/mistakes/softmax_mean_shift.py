"""Softmax shifted by each row's mean instead of its maximum: the shift cancels, but a row spanning
-1000 to 1000 still hands exp an exponent near 1000, which overflows."""
import numpy as np

EXPECT = {"test_softmax": "subtracting a row's mean"}


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

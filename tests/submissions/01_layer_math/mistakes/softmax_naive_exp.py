"""Softmax without subtracting the maximum: exp(1000) overflows to inf, inf / inf is NaN."""
import numpy as np

EXPECT = {"test_softmax": "overflow"}


def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

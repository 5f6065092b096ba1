"""The two stable branches of the sigmoid swapped: e / (1 + e) used where z >= 0, 1 / (1 + e) where z < 0."""
import numpy as np

EXPECT = {"test_activations": "branches are swapped"}


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))

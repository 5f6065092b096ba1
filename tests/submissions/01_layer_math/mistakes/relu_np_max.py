"""np.max(z, 0) for the ReLU: the maximum over axis 0, not the elementwise np.maximum(z, 0)."""
import numpy as np

EXPECT = {"test_activations": "shaped like z"}


def relu(z):
    return np.max(z, 0)

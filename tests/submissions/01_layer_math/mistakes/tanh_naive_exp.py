"""tanh from its exponential definition: overflows for |z| = 1000."""
import numpy as np

EXPECT = {"test_activations": "overflow"}


def tanh(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))

"""The textbook sigmoid 1 / (1 + exp(-z)): exp overflows for z = -1000."""
import numpy as np

EXPECT = {"test_activations": "warning"}


def sigmoid(z):
    return 1 / (1 + np.exp(-z))

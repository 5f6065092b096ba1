"""The tanh derivative written as 1 - tanh instead of 1 - tanh squared."""
import numpy as np

EXPECT = {"test_activation_grads": "1 - tanh(z)**2"}


def tanh_grad(z):
    return 1 - np.tanh(z)

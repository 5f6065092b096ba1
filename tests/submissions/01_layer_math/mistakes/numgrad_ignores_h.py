"""A step of 1e-5 written into the loop: the h the caller passes is ignored."""
import numpy as np

EXPECT = {"test_numerical_gradient": "the h you are given"}


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + 1e-5
        f_plus = f(x)
        x[i] = original - 1e-5
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / 2e-5
    return grad

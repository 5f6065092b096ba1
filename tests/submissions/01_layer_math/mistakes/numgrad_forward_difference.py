"""A forward difference (f(x+h) - f(x)) / h: its error is of order h, not h squared."""
import numpy as np

EXPECT = {"test_numerical_gradient": "forward difference"}


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    fx = f(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        grad[i] = (f(x) - fx) / h
        x[i] = original
    return grad

"""The signature's default step changed to h=1e-3: its central difference is off by a * h**2 for a cubic."""
import numpy as np

EXPECT = {"test_numerical_gradient": "default is h=1e-5"}


def numerical_gradient(f, x, h=1e-3):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad

"""The loop runs over range(len(x)): for a matrix x[i] is a whole row, so each step nudges a row
at once and every entry of the row gets the row's summed derivative."""
import numpy as np

EXPECT = {"test_numerical_gradient": "np.ndindex"}


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        original = x[i].copy()
        x[i] = original + h
        f_plus = f(x)
        x[i] = original - h
        f_minus = f(x)
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad

"""Each element nudged through x.flat, the gradient returned flat: right values, not shaped like x."""
import numpy as np

EXPECT = {"test_numerical_gradient": "shaped like x"}


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.size)
    for i in range(x.size):
        original = x.flat[i]
        x.flat[i] = original + h
        f_plus = f(x)
        x.flat[i] = original - h
        f_minus = f(x)
        x.flat[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad

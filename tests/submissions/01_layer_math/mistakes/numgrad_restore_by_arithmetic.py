"""x restored by adding h back instead of saving the original: rounding leaves x changed."""
import numpy as np

EXPECT = {"test_numerical_gradient": "changed x"}


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad

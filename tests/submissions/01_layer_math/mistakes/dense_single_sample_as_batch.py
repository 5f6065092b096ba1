"""Every input turned into a batch with np.atleast_2d: one sample of shape (in,) comes back as
(1, out) instead of (out,)."""
import numpy as np

EXPECT = {"test_dense_forward": "must come back as (out,)"}


def dense_forward(x, W, b, activation="relu"):
    X = np.atleast_2d(x)
    return {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "identity": lambda v: v}[activation](X @ W.T + b)

"""W used as if it had shape (in, out): x @ W instead of W @ x."""

EXPECT = {"test_dense_forward": "shape (out, in)"}


def dense_forward(x, W, b, activation="relu"):
    z = x @ W + b
    return {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "identity": lambda v: v}[activation](z)

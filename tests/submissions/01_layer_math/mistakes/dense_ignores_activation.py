"""The activation argument is ignored: always ReLU."""
EXPECT = {"test_dense_forward": "wrong result"}


def dense_forward(x, W, b, activation="relu"):
    return relu(x @ W.T + b)

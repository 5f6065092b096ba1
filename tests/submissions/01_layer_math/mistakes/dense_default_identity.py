"""The signature's default activation changed to "identity": called without one, no ReLU is applied."""
EXPECT = {"test_dense_forward": "its default"}


def dense_forward(x, W, b, activation="identity"):
    activations = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "identity": lambda z: z}
    return activations[activation](x @ W.T + b)

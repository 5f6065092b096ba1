"""The bias left out of the dense layer."""
EXPECT = {"test_dense_forward": "the bias b is missing"}


def dense_forward(x, W, b, activation="relu"):
    activations = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "identity": lambda z: z}
    return activations[activation](x @ W.T)

"""The sigmoid's derivative written as s instead of s(1 - s)."""
EXPECT = {"test_activation_grads": "s(z) * (1 - s(z))"}


def sigmoid_grad(z):
    return sigmoid(z)

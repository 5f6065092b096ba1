"""The derivatives written for the activation's output, s * (1 - s) and 1 - s**2, applied to z itself."""
EXPECT = {"test_activation_grads": "pre-activation z"}


def sigmoid_grad(z):
    return z * (1 - z)


def tanh_grad(z):
    return 1 - z**2

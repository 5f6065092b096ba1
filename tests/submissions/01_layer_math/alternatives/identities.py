"""Textbook identities: tanh(z) = 2 sigmoid(2z) - 1, ReLU as z * (z > 0), np.heaviside."""
import numpy as np


def relu(z):
    z = np.asarray(z, dtype=float)
    return z * (z > 0)


def relu_grad(z):
    return np.heaviside(z, 0.0)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


def tanh(z):
    return 2 * sigmoid(2 * np.asarray(z, dtype=float)) - 1


def tanh_grad(z):
    return 4 * sigmoid_grad(2 * np.asarray(z, dtype=float))


def mse_loss(y_pred, y):
    return np.square(np.subtract(y_pred, y)).mean()

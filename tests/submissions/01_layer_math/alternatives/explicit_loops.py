"""Plain Python loops over samples, units and elements, as a beginner might write them."""
import math

import numpy as np


def relu(z):
    out = np.array(z, dtype=float)
    for i in np.ndindex(out.shape):
        if out[i] < 0:
            out[i] = 0.0
    return out


def tanh(z):
    out = np.array(z, dtype=float)
    for i in np.ndindex(out.shape):
        out[i] = math.tanh(out[i])
    return out


def dense_forward(x, W, b, activation="relu"):
    x = np.asarray(x, dtype=float)
    batch = x if x.ndim == 2 else x[None, :]
    z = np.zeros((batch.shape[0], W.shape[0]))
    for n in range(batch.shape[0]):
        for o in range(W.shape[0]):
            total = b[o]
            for i in range(W.shape[1]):
                total += W[o, i] * batch[n, i]
            z[n, o] = total
    z = z if x.ndim == 2 else z[0]
    return {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "identity": lambda v: v}[activation](z)


def mse_loss(y_pred, y):
    diffs = (np.asarray(y_pred, dtype=float) - np.asarray(y, dtype=float)).ravel()
    return sum(d * d for d in diffs) / len(diffs)


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    flat = x.reshape(-1)  # a view: nudging flat nudges x
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + h
        up = f(x)
        flat[k] = saved - h
        down = f(x)
        flat[k] = saved
        grad.reshape(-1)[k] = (up - down) / (2 * h)
    return grad


def relative_error(a, b):
    worst = 0.0
    for u, v in zip(np.ravel(a), np.ravel(b)):
        worst = max(worst, abs(u - v) / max(1e-8, abs(u) + abs(v)))
    return worst
